"""A market scene: a published project with an open offer, its team, an interested person,
an outsider and a moderator."""

from dataclasses import dataclass

import pytest

from apps.accounts.models import User
from apps.market import services
from apps.market.models import InterestRequest, OfferComponent, TransferOffer
from apps.organisations.models import Membership
from apps.places.models import Municipality
from tests.factories import (
    MembershipFactory,
    MunicipalityFactory,
    ProjectFactory,
    UserFactory,
    moderator,
)


@dataclass
class Scene:
    offer: TransferOffer
    admin: User
    member: User
    interested: User
    outsider: User
    moderator: User
    place: Municipality

    def request(self, message: str = "Wir möchten das bei uns starten.") -> InterestRequest:
        return services.interest_request_create(
            offer=self.offer,
            requester=self.interested,
            municipality=self.place,
            organisation=None,
            message=message,
        )


def open_offer(project, actor, **fields) -> TransferOffer:
    return services.offer_save(
        project=project,
        actor=actor,
        components=OfferComponent.objects.filter(code__in=["manual", "mentoring"]),
        **{
            "description": "Handbuch, Schulung und ein Jahr Begleitung.",
            "capacity_per_year": 2,
            **fields,
        },
    )


@pytest.fixture
def scene(db) -> Scene:
    project = ProjectFactory(title="Rollender Dorfladen", slug="rollender-dorfladen")
    admin = MembershipFactory(organisation=project.organisation, role=Membership.Role.ADMIN).user
    member = MembershipFactory(organisation=project.organisation).user
    return Scene(
        offer=open_offer(project, admin),
        admin=admin,
        member=member,
        interested=UserFactory(display_name="Anna Interessiert"),
        outsider=UserFactory(display_name="Otto Außen"),
        moderator=moderator(),
        place=MunicipalityFactory(name="Schlitz", slug="schlitz-he", state="HE"),
    )
