"""Loads the demo market (transfer offers on demo projects and conversations about them)
through the market services, so that history, read markers and started sites are real.

Idempotent: an offer is keyed on its project, a conversation on requester, offer and
municipality; what exists is left alone. Nothing is e-mailed while loading.
"""

import datetime
import json
import logging
from collections import Counter
from pathlib import Path

from allauth.account.models import EmailAddress
from django.contrib.auth.hashers import make_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.test import override_settings
from django.utils import timezone

from apps.accounts.models import User
from apps.catalog.demo.loader import PlaceLookup
from apps.catalog.models import Project, Site
from apps.organisations.models import Membership, Organisation
from apps.organisations.services import organisation_create

from .. import services
from ..forms import OfferForm
from ..models import (
    ConversationRead,
    InterestRequest,
    Message,
    MessageReport,
    OfferComponent,
    RequestEvent,
    RequestStatus,
    TransferOffer,
)

logger = logging.getLogger(__name__)

DEMO_DIR = Path(__file__).parent
DEMO_PASSWORD = "transferhub-demo"
TEAM_EMAIL = "team@transferhub.example"
TEAM_NAME = "Demo-Team"
# The offer form's plain fields; status and components are set by the loader itself.
OFFER_FIELDS = [name for name in OfferForm.Meta.fields if name not in ("status", "components")]


def offer_records() -> list[dict]:
    return json.loads((DEMO_DIR / "offers.json").read_text(encoding="utf-8"))


def conversation_records() -> dict:
    return json.loads((DEMO_DIR / "conversations.json").read_text(encoding="utf-8"))


class _Accounts:
    """Demo accounts with the demo password and a verified address, created once."""

    def __init__(self, counts: Counter):
        self.counts = counts
        self._password = None

    def get(self, email: str, name: str) -> User:
        user, created = User.objects.get_or_create(email=email, defaults={"display_name": name})
        if created:
            # One hash for all of them: hashing is slow on purpose, and these are demo logins.
            self._password = self._password or make_password(DEMO_PASSWORD)
            user.password = self._password
            user.save(update_fields=["password"])
            self.counts["accounts"] += 1
        EmailAddress.objects.get_or_create(
            user=user, email=email, defaults={"verified": True, "primary": True}
        )
        return user


def _moment(now: datetime.datetime, days_ago: int, slot: int) -> datetime.datetime:
    """A plausible local time of day, days_ago days before now; slot varies the hour."""
    day = timezone.localtime(now) - datetime.timedelta(days=days_ago)
    moment = day.replace(hour=8 + (slot * 5) % 12, minute=(slot * 23) % 60, second=0, microsecond=0)
    return min(moment, now - datetime.timedelta(minutes=30))


def _join(user: User, organisation: Organisation, role: str = Membership.Role.ADMIN) -> None:
    Membership.objects.get_or_create(organisation=organisation, user=user, defaults={"role": role})


def _person(record: dict, accounts: _Accounts, place: PlaceLookup):
    """The interested person and the organisation they speak for (None: a private person)."""
    user = accounts.get(record["email"], record["name"])
    data = record.get("organisation")
    if not data:
        return user, None
    organisation = Organisation.objects.filter(name=data["name"]).first()
    if organisation is None:
        organisation = organisation_create(
            creator=user,
            name=data["name"],
            kind=data["kind"],
            municipality=place(data["municipality"]),
            description=data.get("description", ""),
        )
    _join(user, organisation)
    return user, organisation


def _load_offer(record: dict, *, index: int, now, team: User, accounts: _Accounts, counts):
    project = Project.objects.filter(title=record["project"]).select_related("organisation").first()
    if project is None:
        logger.warning("Demo offer skipped, no project titled %r", record["project"])
        counts["missing_projects"] += 1
        return None
    contact = accounts.get(record["team"]["email"], record["team"]["name"])
    _join(team, project.organisation)
    _join(contact, project.organisation)
    offer = TransferOffer.objects.filter(project=project).first()
    if offer is not None:
        return offer, contact, False
    offer = services.offer_save(
        project=project,
        actor=contact,
        components=OfferComponent.objects.filter(code__in=record["components"]),
        status=TransferOffer.Status.OPEN,
        **{name: record[name] for name in OFFER_FIELDS},
    )
    published = _moment(now, record["published_days_ago"], index)
    TransferOffer.objects.filter(pk=offer.pk).update(
        created_at=published, updated_at=published, published_at=published
    )
    counts["offers"] += 1
    return offer, contact, True


def _close_offer(offer: TransferOffer, record: dict, *, index: int, now) -> None:
    """Closed after its conversations ran, as a team does when it needs a break."""
    services.offer_save(
        project=offer.project,
        actor=offer.created_by,
        components=offer.components.all(),
        status=TransferOffer.Status.CLOSED,
    )
    closed = _moment(now, record["closed_days_ago"], index)
    TransferOffer.objects.filter(pk=offer.pk).update(updated_at=closed)


class _Conversation:
    """Plays one conversation step by step through the services, then dates what each step
    wrote to the moment the data gives for it."""

    def __init__(self, record: dict, *, index: int, now, offer, contact, requester, on_behalf):
        steps = record["steps"]
        if steps[0]["by"] != "requester" or not steps[0].get("message"):
            raise ValueError(f"A demo conversation starts with the requester's message: {record}")
        days = [step["days_ago"] for step in steps]
        if days != sorted(days, reverse=True):
            raise ValueError(f"The steps of a demo conversation go back in time: {record}")
        self.record = record
        self.now = now
        self.offer = offer
        self.sides = {"requester": requester, "team": contact}
        self.on_behalf = on_behalf
        self.times: list[datetime.datetime] = []
        for slot, step in enumerate(steps):
            moment = _moment(now, step["days_ago"], index * 3 + slot)
            if self.times and moment <= self.times[-1]:
                # Same day as the step before, but a little later.
                moment = min(
                    self.times[-1] + datetime.timedelta(minutes=17),
                    now - datetime.timedelta(minutes=1),
                )
            self.times.append(moment)

    def play(self, municipality, counts: Counter) -> InterestRequest:
        steps = self.record["steps"]
        request = services.interest_request_create(
            offer=self.offer,
            requester=self.sides["requester"],
            municipality=municipality,
            organisation=self.on_behalf,
            message=steps[0]["message"],
        )
        self._date(request, self.times[0])
        counts["messages"] += 1
        for step, moment in zip(steps[1:], self.times[1:], strict=True):
            actor = self.sides[step["by"]]
            if step.get("message"):
                services.message_create(request=request, author=actor, body=step["message"])
                counts["messages"] += 1
            if step.get("report"):
                reported = request.messages.exclude(author=actor).order_by("-created_at").first()
                services.message_report(message=reported, reporter=actor, reason=step["report"])
                counts["reports"] += 1
            if step.get("status"):
                request = services.request_transition(
                    request=request,
                    actor=actor,
                    to_status=step["status"],
                    note=step.get("note", ""),
                )
            self._date(request, moment)
        self._finish(request)
        return request

    def _date(self, request: InterestRequest, moment: datetime.datetime) -> None:
        """Give everything this step wrote the step's moment: what the services write now is
        later than the start of the load, every dated row earlier."""
        undated = {"created_at__gte": self.now}
        RequestEvent.objects.filter(request=request, **undated).update(created_at=moment)
        Message.objects.filter(request=request, **undated).update(created_at=moment)
        MessageReport.objects.filter(message__request=request, **undated).update(created_at=moment)

    def _finish(self, request: InterestRequest) -> None:
        steps = self.record["steps"]
        active = [
            moment
            for step, moment in zip(steps, self.times, strict=True)
            if step.get("message") or step.get("status")
        ]
        InterestRequest.objects.filter(pk=request.pk).update(
            created_at=self.times[0], last_activity_at=max(active)
        )
        if request.status == RequestStatus.SITE_STARTED:
            started = next(
                moment
                for step, moment in zip(steps, self.times, strict=True)
                if step.get("status") == RequestStatus.SITE_STARTED
            )
            Site.objects.filter(pk=request.site_id).update(
                started_on=started.date(), created_at=started, updated_at=started
            )
        # Each side has read the conversation up to its own last step there.
        for side, user in self.sides.items():
            last_seen = [
                moment for step, moment in zip(steps, self.times, strict=True) if step["by"] == side
            ]
            if not last_seen:
                continue
            readers = [user]
            if side == "team":
                readers += list(
                    User.objects.filter(
                        email=TEAM_EMAIL,
                        memberships__organisation=self.offer.project.organisation,
                    )
                )
            for reader in readers:
                ConversationRead.objects.update_or_create(
                    request=request, user=reader, defaults={"last_read_at": max(last_seen)}
                )


def _load(now: datetime.datetime) -> dict:
    counts: Counter = Counter()
    accounts = _Accounts(counts)
    place = PlaceLookup()
    team = accounts.get(TEAM_EMAIL, TEAM_NAME)

    offers: dict[str, tuple[TransferOffer, User]] = {}
    to_close: list[tuple[TransferOffer, dict, int]] = []
    for index, record in enumerate(offer_records()):
        loaded = _load_offer(
            record, index=index, now=now, team=team, accounts=accounts, counts=counts
        )
        if loaded is None:
            continue
        offer, contact, created = loaded
        offers[record["project"]] = (offer, contact)
        if created and record.get("status") == TransferOffer.Status.CLOSED:
            to_close.append((offer, record, index))

    data = conversation_records()
    people = {record["email"]: _person(record, accounts, place) for record in data["people"]}
    records = list(enumerate(data["conversations"]))
    # A site uses up the offer's capacity for the year; every other request must be in first.
    records.sort(
        key=lambda item: any(
            step.get("status") == RequestStatus.SITE_STARTED for step in item[1]["steps"]
        )
    )
    for index, record in records:
        if record["offer"] not in offers:
            counts["skipped"] += 1
            continue
        offer, contact = offers[record["offer"]]
        requester, on_behalf = people[record["requester"]]
        municipality = place(record["municipality"])
        if InterestRequest.objects.filter(
            offer=offer, requester=requester, municipality=municipality
        ).exists():
            continue
        conversation = _Conversation(
            record,
            index=index,
            now=now,
            offer=offer,
            contact=contact,
            requester=requester,
            on_behalf=on_behalf,
        )
        written: Counter = Counter()
        try:
            with transaction.atomic():
                conversation.play(municipality, written)
        except ValidationError as error:
            # Someone changed the demo by hand (closed an offer, started sites): leave it be.
            logger.warning("Demo conversation %r skipped: %s", record["offer"], error)
            counts["skipped"] += 1
            continue
        counts.update(written, conversations=1)

    for offer, record, index in to_close:
        _close_offer(offer, record, index=index, now=now)
    return counts


def load_market_demo() -> dict:
    """Create the demo offers, conversations and accounts that do not exist yet; returns how
    many of each were created (and how many were skipped)."""
    counts = Counter(offers=0, conversations=0, messages=0, reports=0, accounts=0, skipped=0)
    quiet = override_settings(
        TASKS={"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}},
        EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
    )
    # Background tasks run at once and e-mail stays in memory: nobody hears of the demo.
    with quiet, transaction.atomic():
        counts.update(_load(timezone.now()))
    return dict(counts)
