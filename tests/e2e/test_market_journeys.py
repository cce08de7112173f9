"""The market in the browser: interest in an offer becomes a conversation, an agreement and a
new site on the project's map; nobody else can read the conversation."""

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from apps.market.models import InterestRequest, OfferComponent
from apps.market.services import offer_save
from apps.organisations.models import Membership
from tests.factories import MembershipFactory, MunicipalityFactory, ProjectFactory, UserFactory

from .test_catalog_journeys import log_in

pytestmark = pytest.mark.django_db(transaction=True)


def village_shop_offer():
    vogelsberg = MunicipalityFactory(
        name="Ulrichstein", state="HE", population=3_000, latitude=50.58, longitude=9.19
    )
    project = ProjectFactory(
        title="Rollender Dorfladen",
        slug="rollender-dorfladen",
        summary="Ein Verkaufswagen bringt Lebensmittel in Dörfer ohne Laden.",
        municipality=vogelsberg,
    )
    team_member = MembershipFactory(
        organisation=project.organisation,
        role=Membership.Role.ADMIN,
        user=UserFactory(email="team@example.org", display_name="Bernd Laden"),
    ).user
    offer_save(
        project=project,
        actor=team_member,
        components=OfferComponent.objects.filter(code__in=["manual", "mentoring"]),
        description="Handbuch, Tourenplanung und ein Jahr Begleitung.",
        capacity_per_year=2,
    )
    return project


def test_interest_becomes_a_conversation_an_agreement_and_a_new_site(new_page):
    project = village_shop_offer()
    MunicipalityFactory(
        name="Schlitz", state="HE", population=9_500, latitude=50.67, longitude=9.56
    )
    UserFactory(email="anna@example.org", display_name="Anna Interessiert")
    UserFactory(email="carl@example.org", display_name="Carl Neugierig")

    # A finds the offer in the market and sends interest for her town.
    anna = new_page()
    log_in(anna, "anna@example.org")
    anna.get_by_role("link", name="Markt").click()
    expect(anna.get_by_role("heading", level=1)).to_have_text("Markt der Transferangebote")
    expect(anna.get_by_text("2 neue Standorte")).to_be_visible()
    anna.get_by_role("link", name="Rollender Dorfladen").click()
    anna.get_by_role("link", name="Interesse melden").click()
    anna.get_by_label("Wo möchten Sie das Projekt starten?").fill("Schlitz (Hessen)")
    anna.get_by_label("Ihre erste Nachricht").fill(
        "Wir sind zwölf Leute im Heimatverein und hätten eine Garage für den Wagen."
    )
    anna.get_by_role("button", name="Interesse senden").click()
    expect(anna.get_by_text("Wir sind zwölf Leute im Heimatverein")).to_be_visible()
    expect(anna.get_by_text("Neu", exact=True)).to_be_visible()
    conversation_url = anna.url
    assert any("team@example.org" in message.to for message in mail.outbox)

    # B, in the organisation behind the project, sees it, answers and agrees.
    bernd = new_page()
    log_in(bernd, "team@example.org")
    expect(bernd.get_by_role("link", name=re.compile("Anfragen 1"))).to_be_visible()
    bernd.get_by_role("link", name=re.compile("Anfragen")).click()
    bernd.get_by_role("link", name="Rollender Dorfladen").click()
    expect(bernd.get_by_text("Wir sind zwölf Leute im Heimatverein")).to_be_visible()
    bernd.get_by_label("Ihre Nachricht").fill("Klingt gut! Wir schicken Ihnen das Handbuch.")
    bernd.get_by_role("button", name="Nachricht senden").click()
    expect(bernd.get_by_text("Im Gespräch", exact=True)).to_be_visible()
    bernd.get_by_role("button", name="Als vereinbart markieren").click()
    expect(bernd.get_by_text("Vereinbart", exact=True).first).to_be_visible()
    bernd.get_by_role("button", name="Standort gestartet").click()
    expect(bernd.get_by_text("Das Projekt läuft jetzt in Schlitz (Hessen).")).to_be_visible()

    # A reads the answer; the new site is on the project's map and in its list.
    anna.goto(conversation_url)
    expect(anna.get_by_text("Wir schicken Ihnen das Handbuch.")).to_be_visible()
    anna.goto(project.get_absolute_url())
    expect(anna.locator(".site-row", has_text="Schlitz (Hessen)")).to_be_visible()
    expect(anna.locator("path.site-marker")).to_have_count(2)
    request = InterestRequest.objects.get()
    assert request.site.municipality.name == "Schlitz"
    assert [event.to_status for event in request.events.all()] == [
        "new",
        "in_conversation",
        "agreed",
        "site_started",
    ]

    # C, logged in but no party to it, cannot open the conversation.
    carl = new_page()
    log_in(carl, "carl@example.org")
    response = carl.goto(conversation_url)
    assert response.status == 404
    expect(carl.get_by_text("Wir sind zwölf Leute")).to_have_count(0)
