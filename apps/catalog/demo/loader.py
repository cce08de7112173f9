"""Loads the demo catalog from the JSON files in this folder, through the catalog services."""

import datetime
import json
from collections.abc import Iterator
from pathlib import Path

from django.db import transaction
from django.utils import timezone

from apps.accounts.models import User
from apps.core.db import refresh_planner_statistics
from apps.organisations.models import Organisation
from apps.organisations.services import organisation_create
from apps.places.models import Municipality

from .. import services
from ..models import Project, Site, TargetGroup, Topic, TransferFormat

DEMO_DIR = Path(__file__).parent


def demo_records() -> Iterator[dict]:
    for path in sorted(DEMO_DIR.glob("projects_*.json")):
        yield from json.loads(path.read_text(encoding="utf-8"))


class PlaceLookup:
    """Resolves 'Name|ST' references; the largest place of that name in the state wins."""

    def __init__(self):
        self._cache: dict[str, Municipality] = {}

    def __call__(self, reference: str) -> Municipality:
        if reference not in self._cache:
            name, state = reference.split("|")
            place = (
                Municipality.objects.filter(name=name, state=state).order_by("-population").first()
            )
            if place is None:
                raise ValueError(f"Unknown municipality in demo data: {reference}")
            self._cache[reference] = place
        return self._cache[reference]


def _month(value: str | None) -> datetime.date | None:
    if not value:
        return None
    year, month = value.split("-")[:2]
    return datetime.date(int(year), int(month), 1)


def _organisation(data: dict, place: PlaceLookup, creator: User | None) -> Organisation:
    existing = Organisation.objects.filter(name=data["name"]).first()
    if existing:
        return existing
    return organisation_create(
        creator=creator,
        name=data["name"],
        kind=data.get("kind", Organisation.Kind.ASSOCIATION),
        municipality=place(data["municipality"]),
        description=data.get("description", ""),
    )


@transaction.atomic
def load_project(
    record: dict, *, place: PlaceLookup, moderator: User, published_at
) -> Project | None:
    if Project.objects.filter(title=record["title"]).exists():
        return None
    organisation = _organisation(record["organisation"], place, creator=None)
    project = services.project_create(
        organisation=organisation,
        created_by=None,
        topics=Topic.objects.filter(slug__in=record["topics"]),
        target_groups=TargetGroup.objects.filter(slug__in=record["target_groups"]),
        transfer_formats=TransferFormat.objects.filter(code__in=record.get("transfer_formats", [])),
        title=record["title"],
        summary=record["summary"],
        problem=record["problem"],
        solution=record["solution"],
        impact=record.get("impact", ""),
        municipality=place(record["municipality"]),
        founded_year=record["founded_year"],
        readiness=record["readiness"],
        setting=record["setting"],
        licence=record.get("licence", "cc-by-sa-4.0"),
        contact_name=record.get("contact_name", ""),
        contact_email=record.get("contact_email", ""),
        website=record.get("website", ""),
    )
    origin = project.sites.get(is_origin=True)
    created: list[Site] = []
    for site in record.get("sites", []):
        parent_index = site.get("copied_from")
        created.append(
            services.site_create(
                project=project,
                municipality=place(site["municipality"]),
                operator_name=site.get("operator", ""),
                started_on=_month(site.get("started")),
                ended_on=_month(site.get("ended")),
                status=site.get("status", Site.Status.ACTIVE),
                copied_from=origin if parent_index is None else created[parent_index],
                adaptation_notes=site.get("adaptation", ""),
            )
        )
    services.project_approve(project=project, moderator=moderator)
    Project.objects.filter(pk=project.pk).update(published_at=published_at)
    return project


def demo_accounts() -> User:
    """A moderator and a project team member for trying the site; returns the moderator."""
    from allauth.account.models import EmailAddress
    from django.contrib.auth.models import Group

    moderator, created = User.objects.get_or_create(
        email="moderation@transferhub.example",
        defaults={"display_name": "Moderation", "is_staff": True},
    )
    if created:
        moderator.set_password("transferhub-demo")
        moderator.save()
    moderator.groups.add(Group.objects.get_or_create(name="moderators")[0])
    EmailAddress.objects.get_or_create(
        user=moderator, email=moderator.email, defaults={"verified": True, "primary": True}
    )
    return moderator


def load_demo(progress=lambda record: None) -> int:
    moderator = demo_accounts()
    place = PlaceLookup()
    now = timezone.now()
    loaded = 0
    for index, record in enumerate(demo_records()):
        published_at = now - datetime.timedelta(days=3 * index + 1)
        if load_project(record, place=place, moderator=moderator, published_at=published_at):
            loaded += 1
        progress(record)
    refresh_planner_statistics()
    return loaded
