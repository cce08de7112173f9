"""Open data with private data beside it: what the API shows and what it must never show."""

from dataclasses import dataclass

import pytest

from apps.accounts.models import User
from apps.catalog.models import Project, TargetGroup, Topic, TransferFormat
from apps.market import services as market
from apps.market.models import OfferComponent, TransferOffer
from apps.organisations.models import Membership, Organisation
from apps.search import services as search_services
from tests.factories import (
    MembershipFactory,
    MunicipalityFactory,
    OrganisationFactory,
    ProjectFactory,
)


@pytest.fixture(autouse=True)
def _no_sentence_vectors(monkeypatch):
    """The API reads no sentence vectors, and computing them costs about a second a project:
    the projects these tests create are indexed for full-text search only."""
    monkeypatch.setattr(search_services, "projects_embed", lambda **kwargs: None)


def offer(project: Project, actor: User, **fields) -> TransferOffer:
    return market.offer_save(
        project=project,
        actor=actor,
        components=OfferComponent.objects.filter(code__in=["manual", "mentoring"]),
        **{"description": "Handbuch, Schulung und ein Jahr Begleitung.", **fields},
    )


@dataclass
class OpenData:
    organisation: Organisation
    admin: User
    dorfladen: Project
    repair_cafe: Project
    pending: Project
    rejected: Project
    open_offer: TransferOffer
    full_offer: TransferOffer
    closed_offer: TransferOffer
    pending_offer: TransferOffer


@pytest.fixture
def open_data(db) -> OpenData:
    mobility = Topic.objects.get(slug="mobilitat")
    repair = Topic.objects.get(slug="reparieren-und-teilen")
    organisation = OrganisationFactory(
        name="Dorfleben e. V.",
        slug="dorfleben",
        email="kontakt@dorfleben.example",
        website="https://dorfleben.example",
        municipality=MunicipalityFactory(name="Schlitz", slug="schlitz-he", state="HE"),
    )
    admin = MembershipFactory(
        organisation=organisation,
        role=Membership.Role.ADMIN,
        user__email="vorstand.privat@example.org",
    ).user
    MembershipFactory(organisation=organisation, user__email="mitglied.privat@example.org")
    dorfladen = ProjectFactory(
        title="Rollender Dorfladen",
        slug="rollender-dorfladen",
        organisation=organisation,
        municipality=MunicipalityFactory(name="Alsfeld", slug="alsfeld-he", state="HE"),
        topics=[mobility],
        target_groups=[TargetGroup.objects.get(slug="seniorinnen-und-senioren")],
        setting="rural",
        readiness="proven",
        contact_name="Erika Privat",
        contact_email="erika.privat@example.org",
        moderation_note="Interne Notiz der Moderation",
    )
    dorfladen.transfer_formats.set(TransferFormat.objects.filter(code="open_manual"))
    repair_cafe = ProjectFactory(
        title="Repair-Café im Rathaus",
        slug="repair-cafe",
        municipality=MunicipalityFactory(name="Leipzig", slug="leipzig-sn", state="SN"),
        topics=[repair],
        setting="urban",
        readiness="ready",
    )
    pending = ProjectFactory(
        title="Geheimes Vorhaben",
        slug="geheimes-vorhaben",
        organisation=organisation,
        status=Project.Status.PENDING,
        published_at=None,
        topics=[mobility],
    )
    rejected = ProjectFactory(
        title="Abgelehntes Vorhaben",
        slug="abgelehntes-vorhaben",
        status=Project.Status.REJECTED,
        published_at=None,
    )
    return OpenData(
        organisation=organisation,
        admin=admin,
        dorfladen=dorfladen,
        repair_cafe=repair_cafe,
        pending=pending,
        rejected=rejected,
        open_offer=offer(dorfladen, admin, capacity_per_year=2, setting="rural"),
        full_offer=offer(repair_cafe, admin, capacity_per_year=0, setting="urban"),
        closed_offer=offer(
            ProjectFactory(title="Geschlossenes Angebot", slug="geschlossen"),
            admin,
            status=TransferOffer.Status.CLOSED,
        ),
        pending_offer=offer(pending, admin),
    )
