"""The whole XSS corpus (tests/xss_payloads.py) in a real browser: articles, comments, a
proposal, the history, the moderation queue and the live preview. Nothing may open a dialog,
set window.__xss, load anything from evil.example, or load an image from outside /media/.

Our Content-Security-Policy (script-src 'self', img-src 'self' …) would stop most payloads even
if the Markdown cleaning let them through, and the checks would pass for the wrong reason. So
the corpus runs with the policy bypassed, which tests the cleaning on its own; a last journey
runs with the policy on and checks that the pages break none of its rules."""

from dataclasses import dataclass, field
from urllib.parse import urlsplit

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from playwright.sync_api import expect

from apps.catalog.models import Topic
from apps.comments import services as comment_services
from apps.knowledge import services
from apps.knowledge.rules import EDITORS_GROUP
from tests.factories import ProjectFactory, UserFactory, moderator
from tests.xss_payloads import (
    EVENT_HANDLERS,
    EVIL_HOST,
    IMAGES,
    MARKDOWN_LINKS,
    PAYLOADS,
    SCRIPT_TAGS,
    all_in_one,
)

from .test_catalog_journeys import log_in

# Forms refuse text with nul bytes (Django's ProhibitNullCharactersValidator), which is safe;
# what people type in the browser is everything else.
TYPABLE = all_in_one([payload for payload in PAYLOADS if "\x00" not in payload])

pytestmark = pytest.mark.django_db(transaction=True)

# What the browser made of the page: anything active that came from a visitor's text. Runs in
# the page after htmx and our scripts are done, so it sees the DOM as the browser parsed it.
AUDIT_DOM = """() => {
  const problems = [];
  const describe = (el) => el.outerHTML.slice(0, 160);
  const dangerous = /^(javascript|data|vbscript|livescript):/i;
  for (const el of document.querySelectorAll("*")) {
    if (el.closest("#site-map")) continue;  // Leaflet draws the project map with SVG and styles
    for (const attr of el.attributes) {
      if (attr.name.startsWith("on")) problems.push("handler " + describe(el));
      if (["srcdoc", "srcset", "formaction", "xlink:href", "style"].includes(attr.name))
        problems.push("attribute " + attr.name + " " + describe(el));
    }
    const tag = el.localName;
    if (["iframe", "frame", "object", "embed", "svg", "math", "style", "base", "video",
         "audio", "source", "marquee", "noscript", "template"].includes(tag))
      problems.push("element " + describe(el));
    if (tag === "meta" && !el.closest("head")) problems.push("meta " + describe(el));
    if (tag === "meta" && el.httpEquiv) problems.push("meta refresh " + describe(el));
    if (tag === "script") {
      const own = el.src && new URL(el.src).origin === location.origin
        && new URL(el.src).pathname.startsWith("/static/") && !el.textContent;
      if (!own && el.type !== "application/json") problems.push("script " + describe(el));
    }
    if ((tag === "a" || tag === "area") && el.hasAttribute("href") && dangerous.test(el.protocol))
      problems.push("link " + describe(el));
    if (tag === "form" && el.hasAttribute("action") && dangerous.test(new URL(el.action).protocol))
      problems.push("form " + describe(el));
    if (tag === "img" && el.hasAttribute("src")) {
      const url = new URL(el.src);
      if (url.origin !== location.origin || !url.pathname.startsWith("/media/"))
        problems.push("image " + url.href + " " + describe(el));
    }
    const ownStyles = (el) => new URL(el.href).pathname.startsWith("/static/");
    if (tag === "link" && (!el.closest("head") || !ownStyles(el)))
      problems.push("link element " + describe(el));
  }
  return problems;
}"""

# Inline handlers that survived would run on these; links are not clicked (they navigate).
POKE_EVERYTHING = """() => {
  for (const el of document.querySelectorAll("main *")) {
    for (const type of ["mouseover", "mouseenter", "pointerover", "focus", "toggle",
                        "animationstart", "load", "error"]) {
      el.dispatchEvent(new Event(type));
    }
  }
}"""


TILES = "tile.openstreetmap.org"  # the project map's tiles (answered with nothing in tests)


def _is_evil(url: str) -> bool:
    return (urlsplit(url).hostname or "").endswith(EVIL_HOST)


@dataclass
class Watch:
    """What a page did that it should not have."""

    dialogs: list = field(default_factory=list)
    evil_requests: list = field(default_factory=list)
    foreign_images: list = field(default_factory=list)


@pytest.fixture
def open_page(browser, live_server):
    """Like the new_page fixture, but with the Content-Security-Policy bypassed unless asked
    for; each call is a fresh person (own cookies) whose page is watched."""
    contexts = []

    def open_watched(*, csp: bool = False):
        context = browser.new_context(base_url=live_server.url, locale="de-DE", bypass_csp=not csp)
        context.set_default_timeout(10_000)
        context.route(f"https://{TILES}/**", lambda route: route.abort())
        context.add_init_script(REPORT_CSP_VIOLATIONS)
        contexts.append(context)
        return watched(context.new_page())

    yield open_watched
    for context in contexts:
        context.close()


REPORT_CSP_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation",
  (event) => window.__cspViolations.push(event.violatedDirective + " " + event.blockedURI));
"""


def watched(page):
    watch = Watch()

    def on_dialog(dialog):
        watch.dialogs.append(f"{dialog.type}: {dialog.message}")
        dialog.dismiss()

    def on_request(request):
        url = urlsplit(request.url)
        if _is_evil(request.url):
            watch.evil_requests.append(request.url)
        if request.resource_type == "image" and url.scheme != "data" and url.hostname != TILES:
            own = url.netloc == urlsplit(page.url).netloc if page.url.startswith("http") else True
            if not own or not url.path.startswith(("/media/", "/static/")):
                watch.foreign_images.append(request.url)

    def block_evil(route):
        watch.evil_requests.append(route.request.url)
        route.abort()

    page.on("dialog", on_dialog)
    page.on("request", on_request)
    page.context.route(_is_evil, block_evil)
    return page, watch


def assert_nothing_ran(page, watch, where: str) -> None:
    page.evaluate(POKE_EVERYTHING)
    page.wait_for_timeout(150)  # let anything queued by the events run
    assert watch.dialogs == [], where
    assert page.evaluate("() => typeof window.__xss") == "undefined", where
    assert watch.evil_requests == [], where
    assert watch.foreign_images == [], where
    problems = page.evaluate(AUDIT_DOM)
    assert problems == [], f"{where}:\n" + "\n".join(problems[:20])


def open_and_check(page, watch, url: str, where: str) -> None:
    response = page.goto(url, wait_until="load")
    assert response is not None, where
    assert response.status == 200, (where, response.status)
    page.wait_for_load_state("networkidle")
    assert_nothing_ran(page, watch, where)


def _people():
    author = UserFactory(email="autorin@example.org", display_name="Anna Autorin")
    reader = UserFactory(email="leser@example.org", display_name="Rolf Leser")
    proposer = UserFactory(email="vorschlag@example.org", display_name="Paul Vorschlag")
    editor = UserFactory(email="redaktion@example.org", display_name="Erika Redaktion")
    editor.groups.add(Group.objects.get_or_create(name=EDITORS_GROUP)[0])
    moderation = moderator()
    return author, reader, proposer, editor, moderation


def corpus_everywhere():
    """One article whose text is the whole corpus, one comment per payload on it and on a
    project, reports and hidden comments with payload reasons, an accepted and a pending
    proposal."""
    author, reader, proposer, editor, moderation = _people()
    topic = Topic.objects.get(slug="nachbarschaft-und-engagement")
    article = services.article_create(
        author=author,
        topics=[topic],
        kind="report",
        title=SCRIPT_TAGS[0],
        summary=EVENT_HANDLERS[0],
        body=all_in_one(),
        publish=True,
    )
    project = ProjectFactory(title="Dorfladen", slug="dorfladen")
    comments = []
    for payload in PAYLOADS:
        if "\x00" in payload:  # refused by the comment service, tested without a browser
            continue
        comments.append(
            comment_services.comment_create(subject=article, author=reader, body=payload)
        )
        comment_services.comment_create(subject=project, author=reader, body=payload)
    for index, comment in enumerate(comments[:15]):
        comment_services.comment_report(comment=comment, reporter=proposer, reason=PAYLOADS[index])
    for index, comment in enumerate(comments[15:25]):
        comment_services.comment_hide(
            comment=comment, moderator=moderation, reason=MARKDOWN_LINKS[index]
        )
    accepted = services.proposal_create(
        article=article,
        proposer=proposer,
        title=SCRIPT_TAGS[1],
        summary=article.summary,
        body=all_in_one(list(reversed(PAYLOADS))),
        comment=IMAGES[1],
    )
    services.proposal_accept(proposal=accepted, decided_by=author)
    article.refresh_from_db()
    pending = services.proposal_create(
        article=article,
        proposer=proposer,
        title=SCRIPT_TAGS[2],
        summary=EVENT_HANDLERS[1],
        body=all_in_one(),
        comment=EVENT_HANDLERS[2],
    )
    return {
        "article": article,
        "project": project,
        "pending": pending,
        "author": author,
        "moderator": moderation,
        "editor": editor,
    }


def test_the_corpus_does_nothing_on_any_page(open_page):
    made = corpus_everywhere()
    article, project = made["article"], made["project"]
    first_revision = article.history.order_by("history_date").first()
    newest_revision = article.history.order_by("history_date").last()

    # Anonymous visitors.
    page, watch = open_page()
    public_pages = {
        "hub": reverse("knowledge:hub"),
        "article": article.get_absolute_url(),
        "project with comments": project.get_absolute_url(),
        "history": reverse("knowledge:history", kwargs={"slug": article.slug}),
        "revision with changes": reverse(
            "knowledge:revision",
            kwargs={"slug": article.slug, "revision_id": newest_revision.history_id},
        ),
        "first revision": reverse(
            "knowledge:revision",
            kwargs={"slug": article.slug, "revision_id": first_revision.history_id},
        ),
    }
    shown_comments = len([p for p in PAYLOADS if "\x00" not in p]) - 10  # 10 are hidden
    for where, url in public_pages.items():
        open_and_check(page, watch, url, where)
        if where in ("article", "project with comments"):
            # The corpus is really on the page, as text.
            assert page.locator(".comment-body").count() >= shown_comments, where
            expect(page.locator("main")).to_contain_text("<script>alert(1)</script>")
        if where.endswith("revision") or where == "revision with changes":
            expect(page.locator(".old-version .article-body")).to_contain_text("alert(1)")

    # The moderation sees hidden comments with their reasons, and the reports.
    page, watch = open_page()
    log_in(page, made["moderator"].email)
    for where, url in {
        "article, moderation": article.get_absolute_url(),
        "project, moderation": project.get_absolute_url(),
        "moderation queue": reverse("comments:moderation"),
    }.items():
        open_and_check(page, watch, url, where)

    # The author decides on a proposal and edits the article (text in a textarea).
    page, watch = open_page()
    log_in(page, made["author"].email)
    open_and_check(
        page,
        watch,
        reverse("knowledge:proposal", kwargs={"pk": made["pending"].pk}),
        "pending proposal",
    )
    open_and_check(
        page, watch, reverse("knowledge:update", kwargs={"slug": article.slug}), "edit form"
    )
    expect_preview_settles(page)
    assert_nothing_ran(page, watch, "edit form with its preview")

    # With the policy on, as visitors get it: the pages break none of its rules (a violation
    # would mean something on them tried to run or load what it should not).
    page, watch = open_page(csp=True)
    for where, url in {
        "article": article.get_absolute_url(),
        "project": project.get_absolute_url(),
        "revision": public_pages["revision with changes"],
    }.items():
        open_and_check(page, watch, url, f"{where}, with the policy")
        assert page.evaluate("() => window.__cspViolations") == [], where


def expect_preview_settles(page) -> None:
    """The edit form loads its preview by htmx on load; wait until it holds the text."""
    page.wait_for_function(
        "() => document.querySelector('#preview') && "
        "document.querySelector('#preview').textContent.trim().length > 1"
    )


def test_the_live_preview_shows_the_corpus_as_text(open_page):
    author = UserFactory(email="autorin@example.org", display_name="Anna Autorin")
    page, watch = open_page()
    log_in(page, author.email)
    page.goto(reverse("knowledge:create"))
    page.wait_for_load_state("networkidle")
    body = page.locator("#id_body")

    # The whole corpus pasted at once: the preview follows after a keystroke.
    body.fill(TYPABLE)
    with page.expect_response(lambda response: "/wissen/vorschau/" in response.url):
        body.press("End")
    page.wait_for_function(
        "() => document.querySelector('#preview').textContent.includes('alert(1)')"
    )
    assert_nothing_ran(page, watch, "preview of the whole corpus")

    # Typed by hand, payload by payload, as someone trying things out would.
    for payload in [SCRIPT_TAGS[0], EVENT_HANDLERS[0], MARKDOWN_LINKS[0], IMAGES[1]]:
        body.fill("")
        with page.expect_response(lambda response: "/wissen/vorschau/" in response.url):
            body.press_sequentially(payload, delay=5)
        page.wait_for_timeout(100)
        assert_nothing_ran(page, watch, f"preview of {payload!r}")

    # The preview button renders on the server into the same page.
    page.locator("#id_title").fill("Alles auf einmal")
    page.locator("#id_summary").fill("Jede Nutzlast")
    page.locator("input[name=topics]").first.check()
    body.fill(TYPABLE)
    page.locator("button[name=preview]").click()
    page.wait_for_load_state("networkidle")
    expect_preview_settles(page)
    assert_nothing_ran(page, watch, "server-side preview of the whole corpus")


def test_the_watch_catches_a_real_injection(open_page):
    """The checks above are only worth something if they notice a payload that runs."""
    page, watch = open_page()
    page.goto(reverse("knowledge:hub"))
    page.evaluate(
        """() => document.querySelector("main").insertAdjacentHTML("beforeend",
             '<img src="/media/x.png" onerror="window.__xss=1; alert(1)">'
             + '<img src="https://evil.example/p.gif">'
             + '<a href="javascript:void(0)">x</a>')"""
    )
    page.wait_for_timeout(300)
    with pytest.raises(AssertionError):
        assert_nothing_ran(page, watch, "injected on purpose")
    assert "alert: 1" in watch.dialogs
    assert page.evaluate("() => window.__xss") == 1
    assert watch.evil_requests
    problems = page.evaluate(AUDIT_DOM)
    assert any(problem.startswith("handler") for problem in problems)
    assert any(problem.startswith("link") for problem in problems)
