"""Writes for the market: offers, interest requests, their conversations and outcomes.

Each state change follows one pattern: lock the row, check the transition, save, record a
RequestEvent, then tell the other side by e-mail (queued as a background task). E-mails carry a
link to the conversation, never the private text.
"""

import datetime
from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from apps.accounts.models import User
from apps.accounts.selectors import moderators
from apps.catalog.cache import bump_catalog_version
from apps.catalog.models import Project, Site
from apps.catalog.services import site_create
from apps.core.email import absolute_url, send_templated_email
from apps.core.text import plain_text
from apps.organisations.models import Organisation
from apps.organisations.rules import is_organisation_member
from apps.places.models import Municipality

from .models import (
    ACTIVE_STATUSES,
    MESSAGE_MAX_LENGTH,
    ConversationRead,
    InterestRequest,
    Message,
    MessageReport,
    OfferComponent,
    RequestEvent,
    RequestStatus,
    TransferOffer,
)
from .selectors import capacity_left

S = RequestStatus
# The same text from the same person this soon again is a double click, not a new message.
DOUBLE_SUBMIT_WINDOW = datetime.timedelta(minutes=2)
# Moves the organisation behind the project may make, and those of the interested party.
TEAM_TRANSITIONS: dict[str, set[str]] = {
    S.NEW: {S.IN_CONVERSATION, S.AGREED, S.DECLINED},
    S.IN_CONVERSATION: {S.AGREED, S.DECLINED},
    S.AGREED: {S.SITE_STARTED, S.DECLINED},
}
REQUESTER_TRANSITIONS: dict[str, set[str]] = {status: {S.WITHDRAWN} for status in ACTIVE_STATUSES}


def _notify(*, recipients: Iterable[User], **email) -> None:
    send_templated_email(to=[user.email for user in recipients], **email)


def _team_of(request: InterestRequest) -> list[User]:
    return list(User.objects.filter(memberships__organisation=request.offer.project.organisation))


def _other_side(request: InterestRequest, actor: User) -> list[User]:
    if actor.pk == request.requester_id:
        return [user for user in _team_of(request) if user.pk != actor.pk]
    return [request.requester]


# Offers ---------------------------------------------------------------------------------------


@transaction.atomic
def offer_save(
    *,
    project: Project,
    actor: User,
    components: Iterable[OfferComponent],
    **fields,
) -> TransferOffer:
    """Create or update the project's offer. The first time it is open on a published project,
    it counts as published and the organisation's followers hear about it."""
    # Lock the project: two first saves at once must not both create an offer.
    project = Project.objects.select_for_update().get(pk=project.pk)
    offer = TransferOffer.objects.filter(project=project).first()
    if offer is None:
        offer = TransferOffer(project=project, created_by=actor)
    for name, value in fields.items():
        setattr(offer, name, value)
    offer.full_clean(exclude=["project"])
    newly_published = (
        offer.published_at is None
        and offer.status == TransferOffer.Status.OPEN
        and project.status == Project.Status.PUBLISHED
    )
    if newly_published:
        offer.published_at = timezone.now()
    offer.save()
    offer.components.set(components)
    bump_catalog_version()
    if newly_published:
        _announce_offer(offer, actor)
    return offer


def offer_publish_with_project(*, project: Project, actor: User) -> None:
    """Called when a project is published: an open offer written while it waited for the
    moderation counts as published now, and the followers hear about it."""
    offer = (
        TransferOffer.objects.select_for_update()
        .filter(project=project, published_at=None, status=TransferOffer.Status.OPEN)
        .first()
    )
    if offer is None:
        return
    offer.published_at = timezone.now()
    offer.save(update_fields=["published_at"])
    bump_catalog_version()  # the offer now shows on the cached public market pages
    _announce_offer(offer, actor)


def _announce_offer(offer: TransferOffer, actor: User) -> None:
    from apps.organisations.services import followers_notify

    followers_notify(
        organisation=offer.project.organisation,
        kind="offer",
        title=offer.project.title,
        url=offer.get_absolute_url(),
        acting_user=actor,
    )


# Interest requests ----------------------------------------------------------------------------


def _check_body(body: str) -> str:
    body = plain_text(body)
    if not body:
        raise ValidationError({"message": _("Please write a message.")})
    if len(body) > MESSAGE_MAX_LENGTH:
        raise ValidationError(
            {
                "message": _("A message can have at most %(max)d characters.")
                % {"max": MESSAGE_MAX_LENGTH}
            }
        )
    return body


@transaction.atomic
def interest_request_create(
    *,
    offer: TransferOffer,
    requester: User,
    municipality: Municipality,
    organisation: Organisation | None,
    message: str,
) -> InterestRequest:
    """Open a private conversation with the organisation behind the offer."""
    body = _check_body(message)
    offer = TransferOffer.objects.select_for_update().select_related("project").get(pk=offer.pk)
    if not offer.is_open:
        raise ValidationError(_("This offer is not open for requests at the moment."))
    if is_organisation_member(requester, offer.project.organisation):
        raise ValidationError(_("You cannot send interest for your own organisation's offer."))
    if organisation is not None and not is_organisation_member(requester, organisation):
        raise ValidationError(
            {"organisation": _("You can only speak for organisations you are a member of.")}
        )
    if capacity_left(offer) <= 0:
        raise ValidationError(
            _("This offer cannot take any more new sites this year. Please ask again next year.")
        )
    if offer.requests.filter(
        requester=requester, municipality=municipality, status__in=ACTIVE_STATUSES
    ).exists():
        raise ValidationError(
            _("You have already sent interest for %(place)s. Please continue that conversation.")
            % {"place": municipality.label}
        )
    now = timezone.now()
    try:
        with transaction.atomic():
            request = InterestRequest.objects.create(
                offer=offer,
                requester=requester,
                organisation=organisation,
                municipality=municipality,
                last_activity_at=now,
            )
    except IntegrityError as error:
        # Two submits at once: the constraint lets only one through.
        raise ValidationError(
            _("You have already sent interest for %(place)s. Please continue that conversation.")
            % {"place": municipality.label}
        ) from error
    RequestEvent.objects.create(request=request, actor=requester, to_status=S.NEW)
    Message.objects.create(request=request, author=requester, body=body)
    ConversationRead.objects.create(request=request, user=requester, last_read_at=now)
    _notify(
        recipients=_team_of(request),
        subject=gettext_lazy("New interest in %(project)s from %(place)s"),
        subject_params={"project": offer.project.title, "place": municipality.name},
        template="market/email/new_request.txt",
        context={"request": request, "url": absolute_url(request.get_absolute_url())},
    )
    return request


def _lock(request: InterestRequest) -> InterestRequest:
    return (
        InterestRequest.objects.select_for_update()
        .select_related("offer__project__organisation", "requester", "municipality")
        .get(pk=request.pk)
    )


def _side_transitions(request: InterestRequest, actor: User) -> dict[str, set[str]]:
    if actor.pk == request.requester_id:
        return REQUESTER_TRANSITIONS
    if is_organisation_member(actor, request.offer.project.organisation):
        return TEAM_TRANSITIONS
    raise PermissionDenied


def allowed_transitions(*, request: InterestRequest, actor: User) -> list[str]:
    try:
        moves = _side_transitions(request, actor)
    except PermissionDenied:
        return []
    return [status for status in S.values if status in moves.get(request.status, set())]


def _start_site(request: InterestRequest) -> Site:
    project = request.offer.project
    if capacity_left(request.offer) <= 0:
        raise ValidationError(
            _(
                "The offer has no capacity left this year. Raise the number of new sites in "
                "the offer first."
            )
        )
    origin = project.sites.filter(is_origin=True).first()
    return site_create(
        project=project,
        municipality=request.municipality,
        organisation=request.organisation,
        operator_name="" if request.organisation_id else request.requester.public_name,
        copied_from=origin,
        started_on=timezone.localdate(),
        status=Site.Status.ACTIVE,
    )


def _repeats_last_move(request: InterestRequest, actor: User, to_status: str) -> bool:
    """A double click: the same person made this very move moments ago."""
    last = request.events.last()
    return (
        last is not None
        and bool(last.from_status)
        and request.status == to_status == last.to_status
        and last.actor_id == actor.pk
        and last.created_at >= timezone.now() - DOUBLE_SUBMIT_WINDOW
    )


@transaction.atomic
def request_transition(
    *, request: InterestRequest, actor: User, to_status: str, note: str = ""
) -> InterestRequest:
    """Move a request to another status, if this side may make that move from its status."""
    if to_status == S.SITE_STARTED:
        # Lock the offer first, as interest requests do, so two sites started at once cannot
        # both take the last place of its capacity.
        TransferOffer.objects.select_for_update().get(pk=request.offer_id)
    request = _lock(request)
    note = plain_text(note)
    if _repeats_last_move(request, actor, to_status):
        return request
    if to_status not in _side_transitions(request, actor).get(request.status, set()):
        raise ValidationError(
            _("A request that is “%(current)s” cannot be set to “%(target)s”.")
            % {
                "current": request.get_status_display(),
                "target": S(to_status).label if to_status in S.values else to_status,
            }
        )
    if to_status == S.DECLINED:
        if not note:
            raise ValidationError({"note": _("Please give the reason for declining.")})
        request.decline_reason = note
    if to_status == S.SITE_STARTED:
        request.site = _start_site(request)
    previous = request.status
    request.status = to_status
    request.last_activity_at = timezone.now()
    request.save(update_fields=["status", "decline_reason", "site", "last_activity_at"])
    if to_status == S.SITE_STARTED:
        # The offer's capacity left and its started sites are on the cached public pages; the
        # catalog's bump for the new site must not be what keeps them right.
        bump_catalog_version()
    RequestEvent.objects.create(
        request=request, actor=actor, from_status=previous, to_status=to_status, note=note
    )
    _notify(
        recipients=_other_side(request, actor),
        subject=gettext_lazy("%(project)s: the request for %(place)s has a new status"),
        subject_params={
            "project": request.offer.project.title,
            "place": request.municipality.name,
        },
        template="market/email/status_changed.txt",
        context={
            "request": request,
            "actor": actor,
            "url": absolute_url(request.get_absolute_url()),
        },
    )
    return request


# Messages -------------------------------------------------------------------------------------


@transaction.atomic
def message_create(*, request: InterestRequest, author: User, body: str) -> Message:
    """Add a message; sending the same text twice in a row within minutes adds it once."""
    body = _check_body(body)
    request = _lock(request)
    transitions = _side_transitions(request, author)
    if request.is_closed:
        raise ValidationError(_("This conversation is closed."))
    repeated = request.messages.filter(
        author=author, body=body, created_at__gte=timezone.now() - DOUBLE_SUBMIT_WINDOW
    ).first()
    if repeated is not None:
        return repeated
    message = Message.objects.create(request=request, author=author, body=body)
    if transitions is TEAM_TRANSITIONS and request.status == S.NEW:
        # The first answer of the organisation is what "in conversation" means.
        RequestEvent.objects.create(
            request=request, actor=author, from_status=S.NEW, to_status=S.IN_CONVERSATION
        )
        request.status = S.IN_CONVERSATION
    request.last_activity_at = message.created_at
    request.save(update_fields=["status", "last_activity_at"])
    conversation_mark_read(request=request, user=author)
    _notify(
        recipients=_other_side(request, author),
        subject=gettext_lazy("New message about %(project)s"),
        subject_params={"project": request.offer.project.title},
        template="market/email/new_message.txt",
        context={
            "request": request,
            "author": author,
            "url": absolute_url(request.get_absolute_url()),
        },
    )
    return message


def conversation_mark_read(*, request: InterestRequest, user: User) -> None:
    ConversationRead.objects.update_or_create(
        request=request, user=user, defaults={"last_read_at": timezone.now()}
    )


# Reports --------------------------------------------------------------------------------------


@transaction.atomic
def message_report(*, message: Message, reporter: User, reason: str) -> MessageReport:
    reason = plain_text(reason)
    if not reason:
        raise ValidationError({"reason": _("Please tell the moderation what is wrong.")})
    if message.author_id == reporter.pk:
        raise ValidationError(_("You cannot report your own message."))
    _side_transitions(message.request, reporter)
    if message.is_hidden:
        raise ValidationError(_("The moderation has already hidden this message."))
    already = _("You have already reported this message.")
    if message.reports.filter(reporter=reporter, resolved_at=None).exists():
        raise ValidationError(already)
    try:
        with transaction.atomic():
            report = MessageReport.objects.create(message=message, reporter=reporter, reason=reason)
    except IntegrityError:  # the same report sent twice at once
        raise ValidationError(already) from None
    _notify(
        recipients=moderators(),
        subject=gettext_lazy("A message was reported"),
        template="market/email/message_reported.txt",
        context={"url": absolute_url(reverse("market:report_queue"))},
    )
    return report


@transaction.atomic
def report_resolve(*, report: MessageReport, moderator: User, hide_message: bool) -> None:
    report = MessageReport.objects.select_for_update().select_related("message").get(pk=report.pk)
    if report.resolved_at is not None:
        raise ValidationError(_("This report has already been dealt with."))
    resolution = (
        MessageReport.Resolution.HIDDEN if hide_message else MessageReport.Resolution.DISMISSED
    )
    MessageReport.objects.filter(message=report.message, resolved_at=None).update(
        resolved_at=timezone.now(), resolved_by=moderator, resolution=resolution
    )
    if hide_message:
        report.message.is_hidden = True
        report.message.save(update_fields=["is_hidden"])
