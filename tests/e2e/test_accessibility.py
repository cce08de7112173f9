"""Accessibility in the browser: axe-core finds no WCAG 2.1 A/AA violation on the main pages,
in German and English; a keyboard alone can search, filter, open a project and send interest,
always seeing where the focus is; and the essentials work with JavaScript switched off.

axe-core comes from the npm registry, pinned in tests/e2e/axe/package-lock.json. The first run
installs it with `npm ci` (Node.js and npm needed); later runs reuse tests/e2e/axe/node_modules.
"""

import re
import shutil
import subprocess
from pathlib import Path
from types import SimpleNamespace

import pytest
from playwright.sync_api import expect

from apps.catalog.models import TargetGroup, Topic
from apps.comments.models import Comment
from apps.comments.services import comment_create
from apps.knowledge import services as knowledge
from apps.market.models import InterestRequest, Message, OfferComponent
from apps.market.services import interest_request_create, message_create, offer_save
from apps.organisations.models import Membership
from apps.spread.tests.builders import garden_project
from tests.factories import (
    MembershipFactory,
    MembershipRequestFactory,
    MunicipalityFactory,
    ProjectFactory,
    UserFactory,
)

from .test_catalog_journeys import log_in

pytestmark = pytest.mark.django_db(transaction=True)

AXE_DIR = Path(__file__).parent / "axe"
AXE_JS = AXE_DIR / "node_modules" / "axe-core" / "axe.min.js"
WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
RUN_AXE = """async (tags) => await axe.run(document, {
    runOnly: {type: 'tag', values: tags},
    resultTypes: ['violations'],  // passes and incomplete are not reported in full: faster
})"""


@pytest.fixture(scope="session")
def axe_script() -> Path:
    """axe-core's browser bundle, installed from the lock file if it is not there yet."""
    if not AXE_JS.exists():
        npm = shutil.which("npm")
        if npm is None:
            pytest.fail(f"npm not found: Node.js and npm are needed to install {AXE_DIR}.")
        command = [npm, "ci", "--prefix", str(AXE_DIR), "--no-audit", "--no-fund"]
        result = subprocess.run(command, capture_output=True, text=True, timeout=300)
        if result.returncode != 0 or not AXE_JS.exists():
            pytest.fail(
                f"{' '.join(command)} failed (exit {result.returncode}):\n"
                f"{result.stdout}\n{result.stderr}",
                pytrace=False,
            )
    return AXE_JS


@pytest.fixture
def axe_page(new_page, axe_script):
    """Pages to audit. Playwright's add_script_tag(path=...) inserts axe as an inline <script>,
    which the site's Content-Security-Policy (script-src 'self', no 'unsafe-inline') rightly
    refuses; only these contexts bypass the policy, so that the audit can run. Every other
    journey keeps running under the real policy."""
    return lambda locale="de-DE": new_page(locale, bypass_csp=True)


def audit(page, axe_script: Path) -> list[dict]:
    """axe's WCAG 2.1 A/AA violations on the page as it is now (maps drawn)."""
    page.wait_for_load_state("load")
    for drawn_map in page.locator("#site-map, #spread-map").all():
        if drawn_map.is_visible():
            expect(drawn_map).to_have_attribute("data-ready", "true")
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(axe_script))
    return page.evaluate(RUN_AXE, WCAG_21_AA)["violations"]


def describe(where: str, violations: list[dict]) -> str:
    lines = []
    for violation in violations:
        lines.append(f"{where}: {violation['id']} ({violation['impact']}): {violation['help']}")
        lines.append(f"    {violation['helpUrl']}")
        for node in violation["nodes"]:
            summary = " ".join(node.get("failureSummary", "").split())
            lines.append(f"    {node['target']}: {summary}"[:500])
    return "\n".join(lines)


def offer_scene() -> SimpleNamespace:
    """A project copied to several places (so it has a spread), with a transfer offer by its
    organisation's admin, and a second garden project in a city."""
    garden = Topic.objects.get(slug="garten-und-stadtgrun")
    project = garden_project(
        summary="Ein Garten, den die Nachbarschaft gemeinsam pflegt.",
        topics=[garden],
        target_groups=[TargetGroup.objects.get(slug="seniorinnen-und-senioren")],
    )
    ProjectFactory(title="Stadtgarten Köln", setting="urban", topics=[garden])
    admin = UserFactory(email="bernd@example.org", display_name="Bernd Garten")
    MembershipFactory(organisation=project.organisation, user=admin, role=Membership.Role.ADMIN)
    offer = offer_save(
        project=project,
        actor=admin,
        components=OfferComponent.objects.filter(code__in=["manual", "mentoring"]),
        description="Handbuch, Pflanzplan und ein Jahr Begleitung.",
        capacity_per_year=3,
    )
    anna = UserFactory(email="anna@example.org", display_name="Anna Neugier")
    return SimpleNamespace(project=project, offer=offer, topic=garden, admin=admin, anna=anna)


def scene() -> SimpleNamespace:
    """The offer scene, plus a conversation about the offer, an article with two revisions
    and comments, and a pending membership request."""
    s = offer_scene()
    MembershipRequestFactory(organisation=s.project.organisation)
    s.goerlitz = MunicipalityFactory(
        name="Görlitz", state="SN", population=56_000, latitude=51.15, longitude=14.99
    )
    s.request = interest_request_create(
        offer=s.offer,
        requester=s.anna,
        municipality=s.goerlitz,
        organisation=None,
        message="Wir haben eine Brache hinter der Schule und viele Leute, die gärtnern wollen.",
    )
    message_create(request=s.request, author=s.admin, body="Gern! Wir schicken das Handbuch.")
    s.article = knowledge.article_create(
        author=s.anna,
        topics=[s.topic],
        projects=[s.project],
        kind="report",
        title="Wie unser Garten Nachbarn zusammenbrachte",
        summary="Ein Erfahrungsbericht aus dem Gemeinschaftsgarten.",
        body="Am Anfang stand ein Beet.\n\nDann kamen die Nachbarn mit Schaufeln.",
        publish=True,
    )
    knowledge.article_update(
        article=s.article,
        editor=s.anna,
        comment="Genauer",
        body="Am Anfang stand ein Hochbeet.\n\nDann kamen die Nachbarn mit Schaufeln.",
    )
    first = comment_create(subject=s.article, author=s.admin, body="Schöner Bericht, danke!")
    comment_create(subject=s.article, author=s.anna, body="Danke dir!", parent=first)
    comment_create(subject=s.project, author=s.anna, body="Gibt es das Handbuch auch gedruckt?")
    s.revision = s.article.history.order_by("history_date").last()
    return s


def fail_login(page) -> None:
    page.locator("#id_login").fill("anna@example.org")
    page.locator("#id_password").fill("not-her-password")
    page.locator("main form button[type=submit]").click()
    expect(page.locator("main .form-errors, main .errorlist").first).to_be_visible()


def submit_empty(page) -> None:
    page.locator("main form[method=post] button[type=submit]").last.click()
    expect(page.locator("main .error").first).to_be_visible()


def main_pages(s: SimpleNamespace) -> dict[str, list[tuple]]:
    """Who looks at which page: (German address, what must be on it, optional action first)."""
    project = s.project.get_absolute_url()
    organisation = s.project.organisation.get_absolute_url()
    article = s.article.get_absolute_url()
    conversation = s.request.get_absolute_url()
    return {
        "anonymous": [
            ("/", "#home-search"),
            (f"/projekte/?topic={s.topic.slug}&setting=rural", "#results .card"),
            (project, "table.sites-table"),
            ("/verbreitung/", "#spread-map"),
            (f"{project}verbreitung/", ".spread-tree"),
            (f"/noch-nicht-hier/?municipality={s.goerlitz.label}", ".spread-candidate"),
            ("/passende-projekte/?text=Wir+suchen+einen+Garten+zum+G%C3%A4rtnern", ".match"),
            ("/markt/", f"a[href$='{s.offer.get_absolute_url()}']"),
            (s.offer.get_absolute_url(), f"a[href$='{s.project.slug}/interesse/']"),
            (organisation, "#organisation-counts"),
            (f"{organisation}nachricht/", "main form"),
            ("/wissen/", f"a[href$='{article}']"),
            (article, ".article-body"),
            (f"{article}versionen/", "ol.revisions"),
            (f"{article}versionen/{s.revision.history_id}/", ".diff"),
            ("/suche/?q=Garten", f"main a[href$='{article}']"),
            ("/konto/login/", "#id_login"),
            ("/konto/login/", "#id_login", fail_login),
            ("/konto/signup/", "#id_email"),
        ],
        "anna@example.org": [
            (f"/markt/{s.project.slug}/interesse/", "#id_message"),
            (f"/markt/{s.project.slug}/interesse/", "#id_message", submit_empty),
            ("/anfragen/", f"a[href$='{conversation}']"),
            (conversation, ".messages-thread"),
            ("/wissen/neu/", "#id_body"),
            (article, "#comment_body"),
            (project, "#comment_body"),
            ("/konto/daten/", "#download-heading"),
            ("/konto/daten/konto-loeschen/", "main form"),
        ],
        "bernd@example.org": [
            (f"{organisation}mitglieder/", "tr.member-row"),
            (conversation, "form.transition"),
        ],
    }


def test_main_pages_in_german_and_english_have_no_wcag_21_aa_violations(axe_page, axe_script):
    s = scene()
    problems = []
    for person, pages in main_pages(s).items():
        page = axe_page()
        if person != "anonymous":
            log_in(page, person)
        for prefix in ("", "/en"):  # German, then the same pages in English
            for url, content, *action in pages:
                response = page.goto(prefix + url)
                assert response.ok, f"{prefix}{url} as {person}: {response.status}"
                expect(page.locator(content).first).to_be_attached()
                if action:
                    action[0](page)
                violations = audit(page, axe_script)
                if violations:
                    problems.append(describe(f"{prefix}{url} ({person})", violations))
    assert not problems, "axe found WCAG 2.1 A/AA violations:\n" + "\n".join(problems)


# Keyboard only ----------------------------------------------------------------------------

FOCUS_STYLE = """() => {
    const element = document.activeElement;
    const style = getComputedStyle(element);
    const outline = style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0;
    const shadow = style.boxShadow !== 'none';
    const box = element.getBoundingClientRect();
    return {
        visible: (outline || shadow) && box.width > 0 && box.height > 0,
        element: element.outerHTML.slice(0, 160),
        outline: style.outline,
        shadow: style.boxShadow,
    };
}"""


def press(page, key: str) -> None:
    """Press a key; after a Tab, the newly focused element must show that it has the focus."""
    page.keyboard.press(key)
    if key.endswith("Tab"):
        focus = page.evaluate(FOCUS_STYLE)
        assert focus["visible"], f"no visible focus on {page.url}: {focus}"


def tab_to(page, target, limit: int = 80) -> None:
    """Press Tab until the target has the focus, checking the focus indicator at every stop."""
    for _ in range(limit):
        press(page, "Tab")
        if target.evaluate("element => element === document.activeElement"):
            return
    raise AssertionError(f"{target} not reached with {limit} presses of Tab on {page.url}")


def test_search_filter_open_a_project_and_send_interest_with_the_keyboard_alone(new_page):
    s = offer_scene()
    MunicipalityFactory(name="Zittau", state="SN", population=25_000, latitude=50.9, longitude=14.8)
    page = new_page()
    log_in(page, s.anna.email)
    page.goto("/")

    # The skip link is the first stop; it leads past the navigation to the content.
    press(page, "Tab")
    expect(page.locator(":focus")).to_have_text("Zum Inhalt springen")
    press(page, "Enter")
    tab_to(page, page.get_by_label("Projektkatalog durchsuchen"))
    page.keyboard.type("Garten")
    press(page, "Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Projektkatalog")
    results = page.locator("#results")
    expect(results).to_contain_text("Stadtgarten Köln")

    # A facet opens with Enter on its summary; Space ticks a box and the results follow.
    tab_to(page, page.locator("summary", has_text="Stadt oder Land"))
    press(page, "Enter")
    tab_to(page, page.get_by_label("Ländlicher Raum"))
    press(page, "Space")
    expect(page.get_by_label("Ländlicher Raum")).to_be_checked()
    expect(results).not_to_contain_text("Stadtgarten Köln")
    expect(page).to_have_url(re.compile(r"setting=rural"))

    tab_to(page, results.get_by_role("link", name=s.project.title))
    press(page, "Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text(s.project.title)
    tab_to(page, page.get_by_role("link", name="Angebot ansehen"))
    press(page, "Enter")
    expect(page.get_by_role("heading", level=1)).to_contain_text(s.project.title)
    tab_to(page, page.get_by_role("link", name="Interesse melden"))
    press(page, "Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Interesse an {s.project.title}")

    tab_to(page, page.get_by_label("Wo möchten Sie das Projekt starten?"))
    page.keyboard.type("Zittau (Sachsen)")
    tab_to(page, page.get_by_label("Ihre erste Nachricht"))
    page.keyboard.type("Wir sind ein Bürgerverein mit einem großen Schulhof.")
    tab_to(page, page.get_by_role("button", name="Interesse senden"))
    press(page, "Enter")

    expect(page.get_by_text("Wir sind ein Bürgerverein mit einem großen Schulhof.")).to_be_visible()
    request = InterestRequest.objects.get()
    assert (request.requester, request.municipality.name) == (s.anna, "Zittau")


# Without JavaScript ---------------------------------------------------------------------


def test_search_filter_read_log_in_and_write_without_javascript(new_page):
    s = scene()
    page = new_page(java_script_enabled=False)

    page.goto("/")
    page.get_by_label("Projektkatalog durchsuchen").fill("Garten")
    page.locator("form[role=search] button", has_text="Suchen").last.click()
    results = page.locator("#results")
    expect(results).to_contain_text(s.project.title)
    expect(results).to_contain_text("Stadtgarten Köln")

    page.locator("summary", has_text="Stadt oder Land").click()
    page.get_by_label("Ländlicher Raum").check()
    page.get_by_role("button", name="Filter anwenden").click()
    expect(page).to_have_url(re.compile(r"setting=rural"))
    expect(results).not_to_contain_text("Stadtgarten Köln")

    results.get_by_role("link", name=s.project.title).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(s.project.title)
    expect(page.locator("main")).to_contain_text(s.project.problem)
    expect(page.locator("table.sites-table tr.site-row")).to_have_count(7)

    navigation = page.get_by_role("navigation", name="Hauptnavigation")
    navigation.get_by_role("link", name="Wissen").click()
    page.get_by_role("link", name=s.article.title).first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(s.article.title)
    expect(page.locator(".article-body")).to_contain_text("Am Anfang stand ein Hochbeet.")

    log_in(page, s.anna.email)

    page.goto(s.request.get_absolute_url())
    page.get_by_label("Ihre Nachricht").fill("Wann können wir telefonieren?")
    page.get_by_role("button", name="Nachricht senden").click()
    expect(page.get_by_text("Wann können wir telefonieren?")).to_be_visible()
    assert Message.objects.filter(body="Wann können wir telefonieren?").exists()

    page.goto(s.article.get_absolute_url())
    page.locator("#comment_body").fill("Wie groß war das erste Beet?")
    page.locator("form.comment-form button[type=submit]").click()
    expect(page.locator(".comment-body", has_text="Wie groß war das erste Beet?")).to_be_visible()
    assert Comment.objects.filter(body="Wie groß war das erste Beet?").exists()
