"""Journeys around an organisation's page: becoming a member and writing to it.

The pages are opened in English (/en/): the source texts, stable while German translations
are added."""

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from apps.organisations.models import Membership
from tests.e2e.test_catalog_journeys import log_in
from tests.factories import MembershipFactory, OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_request_membership_accepting_the_terms_and_an_admin_approves(
    new_page, live_server, settings
):
    settings.SITE_URL = live_server.url  # the links in the e-mails lead to this server
    organisation = OrganisationFactory(
        name="Tafel Nord", membership_terms="Members pay **24 € a year**."
    )
    admin = MembershipFactory(
        organisation=organisation,
        role=Membership.Role.ADMIN,
        user=UserFactory(display_name="Anna Admin"),
    ).user
    ina = UserFactory(display_name="Ina Berg")

    page = new_page()
    log_in(page, ina.email)
    page.goto(f"/en/organisationen/{organisation.slug}/")
    page.get_by_role("link", name="Become a member").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Become a member of Tafel Nord")
    expect(page.locator(".membership-terms strong")).to_have_text("24 € a year")
    page.get_by_label("Message to the organisation").fill("I would like to help on Saturdays.")
    page.get_by_role("button", name="Send membership request").click()
    expect(page.locator(".field-invalid")).to_contain_text("I accept the membership terms")
    page.get_by_label("I accept the membership terms").check()
    page.get_by_role("button", name="Send membership request").click()
    expect(page.get_by_role("status").first).to_contain_text("You will get an e-mail")
    expect(page.get_by_text("Your membership request is waiting for a decision.")).to_be_visible()

    [request_mail] = mail.outbox
    assert request_mail.to == [admin.email]
    link = re.search(r"https?://\S+/mitglieder/#membership-requests", request_mail.body).group(0)
    admin_page = new_page()
    log_in(admin_page, admin.email)
    admin_page.goto(link)
    requests = admin_page.locator("#membership-requests-section")
    expect(requests).to_contain_text("I would like to help on Saturdays.")
    requests.get_by_role("button", name="Approve Ina Berg").click()
    expect(admin_page.get_by_role("status").first).to_contain_text("Ina Berg is now a member.")
    expect(admin_page.locator("#membership-requests-section")).to_contain_text(
        "No open membership requests."
    )
    rows = admin_page.locator("tr.member-row")
    expect(rows).to_have_count(2)
    expect(rows.filter(has_text="Ina Berg")).to_contain_text("Member")
    assert mail.outbox[-1].to == [ina.email]

    page.goto(f"/en/organisationen/{organisation.slug}/")
    expect(page.locator("#organisation-counts")).to_contain_text("2 members")
    page.get_by_role("link", name="Members", exact=True).click()
    expect(page.locator("tr.member-row", has_text="Ina Berg")).to_be_visible()
    expect(page.get_by_text(admin.email)).to_have_count(0)  # addresses are for admins only


def test_an_anonymous_visitor_writes_to_the_organisation_and_it_can_answer(page):
    organisation = OrganisationFactory(name="Tafel Nord", email="info@tafel.example")
    page.goto(f"/en/organisationen/{organisation.slug}/")
    page.get_by_role("link", name="Send a message").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Send a message to Tafel Nord")
    page.get_by_label("Your name").fill("Ina Berg")
    page.get_by_label("Your e-mail address").fill("ina@example.org")
    page.get_by_label("Subject").fill("Your lunch table")
    page.get_by_label("Message").fill("How did you find volunteers to cook?")
    page.get_by_role("button", name="Send message").click()
    expect(page.get_by_role("status").first).to_contain_text(
        "Your message has been sent to Tafel Nord. They will answer you by e-mail."
    )
    expect(page.get_by_role("heading", level=1)).to_have_text("Tafel Nord")

    [sent] = mail.outbox
    assert sent.to == ["info@tafel.example"]
    assert sent.reply_to == ["ina@example.org"]
    assert "Your lunch table" in sent.subject
    assert "How did you find volunteers to cook?" in sent.body
