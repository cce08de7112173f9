import datetime
import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from apps.catalog.models import Project, Site, TargetGroup, Topic
from tests.factories import MunicipalityFactory, ProjectFactory, UserFactory, moderator

pytestmark = pytest.mark.django_db(transaction=True)


def log_in(page, email: str, password: str = "correct-horse-battery") -> None:
    page.goto("/konto/login/")
    page.get_by_label("E-Mail").fill(email)
    page.get_by_label("Passwort:").fill(password)
    page.get_by_role("button", name="Anmeldung").click()
    expect(page.get_by_role("button", name="Abmelden")).to_be_visible()


def garden_projects() -> Project:
    garden = Topic.objects.get(slug="garten-und-stadtgrun")
    seniors = TargetGroup.objects.get(slug="seniorinnen-und-senioren")
    wesel = MunicipalityFactory(
        name="Wesel", state="NW", population=60_000, latitude=51.66, longitude=6.62
    )
    project = ProjectFactory(
        title="Gemeinschaftsgarten Wesel",
        summary="Ein Garten, den die Nachbarschaft gemeinsam pflegt.",
        municipality=wesel,
        setting="rural",
        topics=[garden],
        target_groups=[seniors],
    )
    origin = project.sites.get()
    first = Site.objects.create(
        project=project,
        municipality=MunicipalityFactory(name="Brünen", state="NW", latitude=51.72, longitude=6.68),
        operator_name="Dorfverein Brünen",
        copied_from=origin,
        started_on=datetime.date(2018, 4, 1),
    )
    Site.objects.create(
        project=project,
        municipality=MunicipalityFactory(
            name="Dingden", state="NW", latitude=51.77, longitude=6.61
        ),
        operator_name="Heimatverein Dingden",
        copied_from=first,
        started_on=datetime.date(2021, 9, 1),
    )
    ProjectFactory(
        title="Gemeinschaftsgarten München",
        municipality=MunicipalityFactory(state="BY"),
        setting="rural",
        topics=[garden],
    )
    ProjectFactory(title="Stadtgarten Köln", setting="urban", topics=[garden])
    ProjectFactory(title="Lesepaten Wesel", setting="rural")
    return project


def test_search_a_word_form_narrow_with_two_facets_and_see_the_sites(page):
    project = garden_projects()
    page.goto("/projekte/")
    catalog = page.locator("#catalog-form")
    catalog.get_by_role("searchbox").fill("Gärten")
    catalog.get_by_role("button", name="Suchen").click()
    results = page.locator("#results")
    expect(results).to_contain_text("Gemeinschaftsgarten Wesel")
    expect(results).to_contain_text("Gemeinschaftsgarten München")
    expect(results).not_to_contain_text("Lesepaten")

    page.locator("summary", has_text="Bundesland").click()
    page.get_by_label("Nordrhein-Westfalen").check()
    page.locator("summary", has_text="Stadt oder Land").click()
    page.get_by_label("Ländlicher Raum").check()
    expect(results).not_to_contain_text("München")
    expect(results).not_to_contain_text("Stadtgarten Köln")
    expect(page).to_have_url(re.compile(r"state=NW.*setting=rural|setting=rural.*state=NW"))

    results.get_by_role("link", name="Gemeinschaftsgarten Wesel").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(project.title)
    expect(page.locator("#site-map[data-ready=true]")).to_be_visible()
    expect(page.locator("#site-map path.site-marker")).to_have_count(3)
    rows = page.locator("table.sites-table tbody tr.site-row")
    expect(rows).to_have_count(3)
    expect(rows.nth(2)).to_contain_text("Dingden")
    expect(rows.nth(2)).to_contain_text("Brünen")  # copied from Brünen


def test_register_create_organisation_and_project_then_a_moderator_approves(new_page):
    MunicipalityFactory(name="Brünen", state="NW", population=4100)
    page = new_page()
    page.goto("/konto/signup/")
    page.get_by_label("E-Mail").first.fill("ina@example.org")
    page.get_by_label("Passwort:", exact=True).fill("ein-gutes-Passwort-2026")
    page.get_by_label("Passwort (Wiederholung):").fill("ein-gutes-Passwort-2026")
    page.get_by_role("button", name="Registrieren").last.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("E-Mail")

    link = re.search(r"https?://\S+/konto/confirm-email/\S+", mail.outbox[-1].body).group(0)
    page.goto(link)
    page.get_by_role("button", name="Bestätigen").click()

    page.goto("/organisationen/neu/")
    page.get_by_label("Name").fill("Dorfladen Brünen eG")
    page.get_by_label("Art").select_option("cooperative")
    page.get_by_role("button", name="Speichern").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Dorfladen Brünen eG")

    page.get_by_role("link", name="Projekt hinzufügen").click()
    page.get_by_label("Titel").fill("Dorfladen Brünen")
    page.get_by_label("Kurzbeschreibung").fill("Ein Laden, der dem Dorf gehört.")
    page.get_by_label("Problem").fill("Der letzte Laden hat geschlossen.")
    page.get_by_label("Lösung").fill("Eine Genossenschaft betreibt den Laden mit Ehrenamtlichen.")
    page.get_by_label("Nahversorgung und Dorfläden").check()
    page.get_by_label("Seniorinnen und Senioren").check()
    municipality = page.get_by_label("Heimatgemeinde")
    municipality.press_sequentially("Brü", delay=50)
    expect(page.locator("datalist option")).to_have_count(1)
    municipality.fill("Brünen (Nordrhein-Westfalen)")
    page.get_by_label("Gründungsjahr").fill("2019")
    page.get_by_role("button", name="Projekt einreichen").click()
    expect(page.get_by_role("status").first).to_contain_text("Moderation")
    expect(page.get_by_text("Wartet auf Prüfung")).to_be_visible()

    anonymous = new_page()
    anonymous.goto("/projekte/?q=Dorfladen")
    expect(anonymous.locator("#results")).to_contain_text("Kein Projekt")

    moderator_page = new_page()
    moderator_user = moderator()
    log_in(moderator_page, moderator_user.email)
    moderator_page.goto("/moderation/")
    moderator_page.get_by_role("button", name="Freigeben und veröffentlichen").click()
    expect(moderator_page.get_by_role("status").first).to_contain_text("veröffentlicht")

    anonymous.goto("/projekte/?q=Dorfläden")
    expect(anonymous.locator("#results")).to_contain_text("Dorfladen Brünen")


def test_another_user_cannot_edit_the_project(new_page):
    project = ProjectFactory(title="Fremdes Projekt")
    intruder = UserFactory()
    page = new_page()
    log_in(page, intruder.email)
    response = page.goto(f"/projekte/{project.slug}/bearbeiten/")
    assert response.status == 403
    expect(page.get_by_role("heading", level=1)).to_have_text("Zugriff verweigert")
    page.goto(project.get_absolute_url())
    expect(page.get_by_role("link", name="Projekt bearbeiten")).to_have_count(0)
