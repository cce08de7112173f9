"""Writes for organisations: creating them, members, membership requests, messages to them
and their followers."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from apps.accounts.models import User
from apps.catalog.cache import bump_catalog_version
from apps.core.email import absolute_url, send_templated_email
from apps.core.slugs import unique_slug

from .models import Follow, Invitation, Membership, MembershipRequest, Organisation

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
    send_templated_email(
        to=[email],
        subject=gettext_lazy("Invitation to join %(name)s on Transferhub"),
        subject_params={"name": organisation.name},
        template="organisations/email/invitation.txt",
        context=context,
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
    bump_catalog_version()  # the public page shows the number of members
    return membership


def _admin_emails(organisation: Organisation) -> list[str]:
    return list(
        organisation.memberships.filter(role=Membership.Role.ADMIN)
        .order_by("user__email")
        .values_list("user__email", flat=True)
    )


# Membership requests ------------------------------------------------------------------------


@transaction.atomic
def membership_request_create(
    *, organisation: Organisation, user: User, message: str = "", terms_accepted: bool = False
) -> MembershipRequest:
    """Ask to join; the organisation's administrators get an e-mail with a link to decide."""
    if not organisation.accepts_members:
        raise ValidationError(_("This organisation does not accept membership requests."))
    if organisation.memberships.filter(user=user).exists():
        raise ValidationError(_("You are already a member of this organisation."))
    pending = organisation.membership_requests.filter(
        user=user, status=MembershipRequest.Status.PENDING
    )
    if pending.exists():
        raise ValidationError(_("You have already asked to join; your request is waiting."))
    terms = organisation.membership_terms.strip()
    if terms and not terms_accepted:
        raise ValidationError(_("Please accept the membership terms."))
    membership_request = MembershipRequest(
        organisation=organisation, user=user, message=message.strip(), accepted_terms=terms
    )
    membership_request.full_clean(validate_constraints=False)
    try:
        with transaction.atomic():
            membership_request.save()
    except IntegrityError:  # a second request sent at the same moment
        raise ValidationError(
            _("You have already asked to join; your request is waiting.")
        ) from None
    context = {
        "organisation": organisation,
        "membership_request": membership_request,
        "requests_url": absolute_url(
            reverse("organisations:members", kwargs={"slug": organisation.slug})
            + "#membership-requests"
        ),
    }
    send_templated_email(
        to=_admin_emails(organisation),
        subject=gettext_lazy("%(person)s asks to join %(name)s"),
        subject_params={"person": user.public_name, "name": organisation.name},
        template="organisations/email/membership_request_new.txt",
        context=context,
    )
    return membership_request


def _lock_pending(membership_request: MembershipRequest) -> MembershipRequest:
    locked = MembershipRequest.objects.select_for_update().get(pk=membership_request.pk)
    if locked.status != MembershipRequest.Status.PENDING:
        raise ValidationError(_("This request has already been decided."))
    return locked


@transaction.atomic
def membership_request_approve(
    *, membership_request: MembershipRequest, decided_by: User
) -> Membership:
    """Make the person a member and tell them by e-mail."""
    membership_request = _lock_pending(membership_request)
    organisation = membership_request.organisation
    membership, _created = Membership.objects.get_or_create(
        organisation=organisation,
        user=membership_request.user,
        defaults={"role": Membership.Role.MEMBER},
    )
    membership_request.status = MembershipRequest.Status.APPROVED
    membership_request.decided_by = decided_by
    membership_request.decided_at = timezone.now()
    membership_request.save(update_fields=["status", "decided_by", "decided_at"])
    bump_catalog_version()  # the public page shows the number of members
    send_templated_email(
        to=[membership_request.user.email],
        subject=gettext_lazy("Welcome to %(name)s"),
        subject_params={"name": organisation.name},
        template="organisations/email/membership_request_approved.txt",
        context={
            "organisation": organisation,
            "organisation_url": absolute_url(organisation.get_absolute_url()),
        },
    )
    return membership


@transaction.atomic
def membership_request_decline(
    *, membership_request: MembershipRequest, decided_by: User, reason: str = ""
) -> MembershipRequest:
    """Decline the request; the person gets an e-mail, with the reason if one is given."""
    membership_request = _lock_pending(membership_request)
    membership_request.status = MembershipRequest.Status.DECLINED
    membership_request.decided_by = decided_by
    membership_request.decided_at = timezone.now()
    membership_request.decline_reason = reason.strip()
    membership_request.full_clean(validate_constraints=False)
    membership_request.save(update_fields=["status", "decided_by", "decided_at", "decline_reason"])
    organisation = membership_request.organisation
    send_templated_email(
        to=[membership_request.user.email],
        subject=gettext_lazy("Your request to join %(name)s"),
        subject_params={"name": organisation.name},
        template="organisations/email/membership_request_declined.txt",
        context={"organisation": organisation, "reason": membership_request.decline_reason},
    )
    return membership_request


# Members ------------------------------------------------------------------------------------

LAST_ADMIN_MESSAGE = gettext_lazy(
    "An organisation needs at least one administrator. Make someone else an administrator first."
)


def _lock_membership(membership: Membership) -> tuple[Membership, int]:
    """The membership and the number of administrators, with the administrators locked so two
    changes at once cannot leave the organisation without one."""
    admins = list(
        Membership.objects.select_for_update()
        .filter(organisation_id=membership.organisation_id, role=Membership.Role.ADMIN)
        .values_list("pk", flat=True)
    )
    return Membership.objects.select_for_update().get(pk=membership.pk), len(admins)


@transaction.atomic
def membership_change_role(*, membership: Membership, role: str) -> Membership:
    if role not in Membership.Role.values:
        raise ValidationError(_("Please choose a valid role."))
    membership, admin_count = _lock_membership(membership)
    if membership.role == role:
        return membership
    if membership.role == Membership.Role.ADMIN and admin_count <= 1:
        raise ValidationError(LAST_ADMIN_MESSAGE)
    membership.role = role
    membership.save(update_fields=["role"])
    return membership


@transaction.atomic
def membership_remove(*, membership: Membership) -> None:
    membership, admin_count = _lock_membership(membership)
    if membership.role == Membership.Role.ADMIN and admin_count <= 1:
        raise ValidationError(LAST_ADMIN_MESSAGE)
    membership.delete()
    bump_catalog_version()  # the public page shows the number of members


# Messages to an organisation ----------------------------------------------------------------


@transaction.atomic
def organisation_message_send(
    *, organisation: Organisation, sender_name: str, sender_email: str, subject: str, message: str
) -> int:
    """E-mail a visitor's message to the organisation's public address, or else to each of its
    administrators; answers go straight back to the sender (Reply-To). Nothing is stored.
    Returns the number of e-mails queued."""
    recipients = [organisation.email] if organisation.email else _admin_emails(organisation)
    if not recipients:
        raise ValidationError(
            _("This organisation cannot be reached through Transferhub at the moment.")
        )
    context = {
        "organisation": organisation,
        "sender_name": sender_name,
        "sender_email": sender_email,
        "subject": subject,
        "message": message,
    }
    return send_templated_email(
        to=recipients,
        subject=gettext_lazy("Message via Transferhub: %(subject)s"),
        subject_params={"subject": subject},
        template="organisations/email/contact_message.txt",
        context=context,
        reply_to=[sender_email],
    )


# Followers ----------------------------------------------------------------------------------


@transaction.atomic
def organisation_follow(*, organisation: Organisation, user: User) -> Follow:
    # The follower count on the cached public page may lag up to PAGE_CACHE_SECONDS: following
    # is frequent and must not throw away every cached catalog page.
    follow, _created = Follow.objects.get_or_create(organisation=organisation, user=user)
    return follow


@transaction.atomic
def organisation_unfollow(*, organisation: Organisation, user: User) -> None:
    Follow.objects.filter(organisation=organisation, user=user).delete()


FOLLOWER_SUBJECTS = {
    "project": gettext_lazy("%(name)s has published a new project: %(title)s"),
    "offer": gettext_lazy("%(name)s has published a new offer: %(title)s"),
    "event": gettext_lazy("%(name)s has published a new event: %(title)s"),
}


@transaction.atomic
def followers_notify(
    *,
    organisation: Organisation,
    kind: str,
    title: str,
    url: str,
    acting_user: User | None = None,
) -> int:
    """Queue one e-mail per follower saying the organisation has published something new.

    kind: "project", "offer" or "event". url: a path on this site (completed with
    settings.SITE_URL) or an absolute URL. acting_user, if given, gets no e-mail: they did it.
    Returns the number of e-mails queued. Call it inside the publishing transaction, so the
    e-mails are queued only if the publication is committed.
    """
    if kind not in FOLLOWER_SUBJECTS:
        raise ValueError(f"Unknown kind {kind!r}; expected one of {sorted(FOLLOWER_SUBJECTS)}")
    followers = organisation.follows.select_related("user").order_by("pk")
    if acting_user is not None:
        followers = followers.exclude(user=acting_user)
    params = {"name": organisation.name, "title": title}
    return send_templated_email(
        to=[follow.user.email for follow in followers],
        subject=FOLLOWER_SUBJECTS[kind],
        subject_params=params,
        template="organisations/email/followers_new_item.txt",
        context={
            "organisation": organisation,
            "headline": FOLLOWER_SUBJECTS[kind] % params,
            "url": absolute_url(url),
            "organisation_url": absolute_url(organisation.get_absolute_url()),
        },
    )
