"""Writes for organisations: creating them, inviting and adding members."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from apps.accounts.models import User
from apps.catalog.cache import bump_catalog_version
from apps.core.email import send_email
from apps.core.slugs import unique_slug

from .models import Invitation, Membership, Organisation

# Paths under /organisationen/ that an organisation's page must not shadow.
RESERVED_SLUGS = {"neu", "einladung"}


@transaction.atomic
def organisation_create(*, creator: User | None, **fields) -> Organisation:
    """Create an organisation; its creator (if any) becomes its first administrator."""
    organisation = Organisation(**fields)
    organisation.slug = unique_slug(
        Organisation, slugify(organisation.name) or "organisation", reserved=RESERVED_SLUGS
    )
    organisation.full_clean()
    organisation.save()
    if creator is not None:
        Membership.objects.create(
            organisation=organisation, user=creator, role=Membership.Role.ADMIN
        )
    return organisation


@transaction.atomic
def organisation_update(*, organisation: Organisation, **fields) -> Organisation:
    for name, value in fields.items():
        setattr(organisation, name, value)
    organisation.full_clean()
    organisation.save()
    bump_catalog_version()
    return organisation


def invitation_create(
    *, organisation: Organisation, email: str, role: str, invited_by: User, accept_url_builder
) -> Invitation:
    """Invite an address to join; the e-mail carries the link to accept."""
    email = email.strip().lower()
    if organisation.memberships.filter(user__email__iexact=email).exists():
        raise ValidationError(_("This person is already a member."))
    with transaction.atomic():
        invitation = Invitation.objects.create(
            organisation=organisation, email=email, role=role, invited_by=invited_by
        )
    context = {
        "organisation": organisation,
        "invited_by": invited_by,
        "accept_url": accept_url_builder(invitation.get_absolute_url()),
    }
    send_email(
        subject=_("Invitation to join %(name)s on Transferhub") % {"name": organisation.name},
        body=render_to_string("organisations/email/invitation.txt", context),
        to=[email],
    )
    return invitation


@transaction.atomic
def invitation_accept(*, invitation: Invitation, user: User) -> Membership:
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.accepted_at is not None:
        raise ValidationError(_("This invitation has already been used."))
    if invitation.email.lower() != user.email.lower():
        raise PermissionDenied(_("This invitation was sent to another e-mail address."))
    membership, _created = Membership.objects.get_or_create(
        organisation=invitation.organisation, user=user, defaults={"role": invitation.role}
    )
    invitation.accepted_at = timezone.now()
    invitation.save(update_fields=["accepted_at"])
    return membership
