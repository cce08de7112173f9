"""Every payload of tests/xss_payloads.py through everything people write in the knowledge hub
and in comments, rendered on every page that shows it, checked with an HTML parser: nothing
from the text becomes a script, an event handler, a dangerous address, an active element or an
image from elsewhere, and template syntax in the text stays text."""

import posixpath
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from apps.comments import services as comment_services
from apps.comments.models import Comment
from apps.knowledge import selectors, services
from apps.knowledge.models import Article
from tests.factories import ProjectFactory
from tests.xss_payloads import PAYLOADS, TEMPLATE_INJECTIONS, all_in_one, payload_id

from .conftest import write_article

pytestmark = pytest.mark.django_db

# A parser of our own HTML -------------------------------------------------------------------

VOID_ELEMENTS = {
    "area",
    "base",
    "br",
    "col",
    "embed",
    "hr",
    "img",
    "input",
    "link",
    "meta",
    "param",
    "source",
    "track",
    "wbr",
    "keygen",
    "frame",
}
# Never on our pages, whoever put them there.
FORBIDDEN_ELEMENTS = {
    "iframe",
    "frame",
    "frameset",
    "object",
    "embed",
    "applet",
    "param",
    "style",
    "base",
    "svg",
    "math",
    "video",
    "audio",
    "source",
    "track",
    "picture",
    "marquee",
    "noscript",
    "template",
    "portal",
    "xmp",
    "plaintext",
    "noembed",
    "listing",
}
FORBIDDEN_ATTRIBUTES = {
    "style",
    "srcdoc",
    "srcset",
    "formaction",
    "xlink:href",
    "background",
    "dynsrc",
    "lowsrc",
    "ping",
}
URL_ATTRIBUTES = {
    "href",
    "src",
    "action",
    "data",
    "poster",
    "cite",
    "longdesc",
    "manifest",
    "codebase",
    "formaction",
    "xlink:href",
    "background",
}
DANGEROUS_SCHEMES = ("javascript:", "data:", "vbscript:", "livescript:")
HEAD_META_NAMES = {"viewport", "description", "htmx-config"}
# What rendered Markdown may consist of (independent of apps.core.markdown on purpose: adding a
# tag there must be a decision this test notices), plus <ins>/<del> of the diffs.
CONTENT_TAGS = {
    "a",
    "p",
    "br",
    "strong",
    "em",
    "ul",
    "ol",
    "li",
    "blockquote",
    "code",
    "pre",
    "h3",
    "h4",
    "h5",
    "h6",
    "hr",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
    "img",
    "ins",
    "del",
}
CONTENT_ATTRIBUTES = {"a": {"href", "title", "rel"}, "img": {"src", "alt", "title"}}
CONTENT_CONTAINER_CLASSES = {"article-body", "comment-body", "diff"}


@dataclass
class Node:
    tag: str
    attrs: dict = field(default_factory=dict)
    children: list = field(default_factory=list)
    parent: "Node | None" = None
    text: list = field(default_factory=list)

    def ancestors(self):
        node = self.parent
        while node is not None:
            yield node
            node = node.parent

    def descendants(self):
        for child in self.children:
            yield child
            yield from child.descendants()

    @property
    def classes(self) -> set[str]:
        return set((self.attrs.get("class") or "").split())

    def describe(self) -> str:
        attrs = " ".join(f"{name}={value!r}" for name, value in self.attrs.items())
        return f"<{self.tag}{' ' + attrs if attrs else ''}>"


class _TreeBuilder(HTMLParser):
    """A forgiving tree of the document, good enough for Django's well-formed output; text is
    unescaped, attribute values have their entities decoded, as a browser would."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.root = Node("#document")
        self.current = self.root
        self.all_text: list[str] = []

    def handle_starttag(self, tag, attrs):
        node = Node(tag, {}, parent=self.current)
        for name, value in attrs:
            node.attrs.setdefault(name, value if value is not None else "")
        self.current.children.append(node)
        if tag not in VOID_ELEMENTS:
            self.current = node

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in VOID_ELEMENTS:
            self.current = self.current.parent

    def handle_endtag(self, tag):
        node = self.current
        while node is not None and node.tag != tag:
            node = node.parent
        if node is not None and node.parent is not None:
            self.current = node.parent

    def handle_data(self, data):
        self.current.text.append(data)
        self.all_text.append(data)


def parse(html: str) -> _TreeBuilder:
    builder = _TreeBuilder()
    builder.feed(html)
    builder.close()
    return builder


def _normalised_url(value: str) -> str:
    """How a browser sees the start of an address: no whitespace or control characters (tabs
    and newlines are dropped anywhere, we are stricter and drop all of them), any case."""
    return "".join(ch for ch in value if ord(ch) > 0x20 and ord(ch) != 0x7F).lower()


def _own_media(src: str) -> bool:
    """Whether an image address stays under /media/ once the browser has resolved it: like a
    browser, treat a backslash as a slash and %2e as a dot in the path's dot segments."""
    if not src.startswith("/media/"):
        return False
    path = urlsplit(src.replace("\\", "/")).path
    path = re.sub("%2e", ".", path, flags=re.IGNORECASE)
    return posixpath.normpath(path).startswith("/media/")


def _in_head(node: Node) -> bool:
    return any(ancestor.tag == "head" for ancestor in node.ancestors())


def _allowed_htmx(node: Node) -> bool:
    """The only elements of our templates that carry htmx attributes on these pages."""
    if node.attrs.get("id") == "preview":
        return True
    return node.tag == "form" and node.attrs.get("action", "").startswith("/wissen/bilder/")


def violations(html: str) -> list[str]:
    """Everything in the page that a visitor's text could have turned into something active."""
    found = []
    tree = parse(html).root
    for node in tree.descendants():
        tag, attrs = node.tag, node.attrs
        where = node.describe()[:200]
        if tag in FORBIDDEN_ELEMENTS:
            found.append(f"forbidden element {where}")
        if tag == "script":
            own_file = attrs.get("src", "").startswith("/static/") and not "".join(node.text)
            if not own_file and attrs.get("type") != "application/json":
                found.append(f"script {where}: {''.join(node.text)[:80]!r}")
        if tag == "meta":
            known = "charset" in attrs or attrs.get("name") in HEAD_META_NAMES
            if not _in_head(node) or not known or "http-equiv" in attrs:
                found.append(f"meta {where}")
        if tag == "link":
            own = attrs.get("rel") == "stylesheet" and attrs.get("href", "").startswith("/static/")
            if not _in_head(node) or not own:
                found.append(f"link {where}")
        if tag == "input" and attrs.get("type", "").lower() == "image":
            found.append(f"image input {where}")
        if tag == "img" and "src" in attrs and not _own_media(attrs["src"]):
            found.append(f"image from elsewhere {where}")
        for name, value in attrs.items():
            if name.startswith("on"):
                found.append(f"event handler {name} on {where}")
            if name in FORBIDDEN_ATTRIBUTES:
                found.append(f"attribute {name} on {where}")
            if (name.startswith(("hx-", "data-hx-")) or "hx-on" in name) and not _allowed_htmx(
                node
            ):
                found.append(f"htmx attribute {name} on {where}")
            if name in URL_ATTRIBUTES and _normalised_url(value).startswith(DANGEROUS_SCHEMES):
                found.append(f"dangerous address in {name} on {where}")
        if node.classes & CONTENT_CONTAINER_CLASSES:
            for inner in node.descendants():
                if inner.tag not in CONTENT_TAGS:
                    found.append(f"<{inner.tag}> inside {where}")
                    continue
                extra = set(inner.attrs) - CONTENT_ATTRIBUTES.get(inner.tag, set())
                # The licence line under the article is ours (<p class>, <a rel=license>).
                if (
                    inner.attrs.get("class") == "licence-line"
                    or inner.attrs.get("rel") == "license"
                ):
                    continue
                if extra:
                    found.append(f"attributes {sorted(extra)} on {inner.describe()[:200]}")
    return found


def page_text(html: str) -> str:
    return "".join(parse(html).all_text)


def assert_inert(html: str, context: str) -> None:
    problems = violations(html)
    assert not problems, f"{context}:\n" + "\n".join(problems[:20])


# The checker itself ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "html",
    [
        "<p><script>alert(1)</script></p>",
        '<script src="https://evil.example/x.js"></script>',
        "<img src=x onerror=alert(1)>",
        '<img src="https://evil.example/p.gif">',
        '<img src="/media/%2e%2e/konto/logout/">',
        '<img src="/media/../konto/">',
        '<a href=" java&#9;script:alert(1)">x</a>',
        '<a href="JAVASCRIPT:alert(1)">x</a>',
        '<a href="data:text/html,x">x</a>',
        '<iframe src="/"></iframe>',
        "<svg></svg>",
        '<div style="color:red">x</div>',
        '<body><meta http-equiv="refresh" content="0"></body>',
        '<div hx-get="/x" hx-trigger="load"></div>',
        '<div class="article-body"><div>x</div></div>',
        '<div class="comment-body"><p class="x">x</p></div>',
        "<textarea></textarea><script>alert(1)</script><textarea>",
    ],
)
def test_the_checker_finds_what_it_looks_for(html):
    assert violations(html)


def test_the_checker_accepts_our_own_page_furniture():
    html = (
        '<html><head><meta charset="utf-8"><meta name="viewport" content="x">'
        '<link rel="stylesheet" href="/static/css/transferhub.css"></head><body>'
        '<div class="article-body"><p><img src="/media/knowledge/2025/01/bild.png" alt="x">'
        '<a href="https://x.example" rel="nofollow ugc noopener" title="t">x</a></p>'
        '<p class="licence-line"><a href="https://creativecommons.org" rel="license">CC</a></p>'
        "</div>"
        '<div id="preview" class="article-body" hx-post="/wissen/vorschau/"></div>'
        '<script type="application/json" id="d">{"a": "\\u003Cscript\\u003E"}</script>'
        '<script src="/static/django_htmx/htmx-2.min.js" defer></script></body></html>'
    )
    assert violations(html) == []


# One payload everywhere -----------------------------------------------------------------------


def _maybe_rejected(write, payload):
    """Text with nul bytes may be refused with a validation error (a safe outcome); anything
    else must be stored."""
    try:
        return write()
    except ValidationError:
        assert "\x00" in payload, f"refused without a reason: {payload!r}"
        return None


def _get(client, user, url, **kwargs):
    client.logout()
    if user is not None:
        client.force_login(user)
    response = client.get(url, **kwargs)
    assert response.status_code == 200, (url, response.status_code)
    return response.content.decode()


@pytest.mark.parametrize("payload", PAYLOADS, ids=[payload_id(p) for p in PAYLOADS])
def test_a_payload_stays_text_on_every_page(client, people, payload, monkeypatch):
    # Finding related projects embeds the whole text (slow); the all-in-one test keeps it.
    monkeypatch.setattr(selectors, "related_projects", lambda article: [])
    article = write_article(people.author, title=payload[:160], summary=payload[:300], body=payload)
    comment = _maybe_rejected(
        lambda: comment_services.comment_create(
            subject=article, author=people.reader, body=payload
        ),
        payload,
    )
    proposal = services.proposal_create(
        article=article,
        proposer=people.proposer,
        title=f"Neu: {payload}"[:160],
        summary=article.summary,
        body=f"Ein neuer Anfang.\n\n{payload}\n\nEin neues Ende.",
        comment=payload[:300],
    )

    proposal_url = reverse("knowledge:proposal", kwargs={"pk": proposal.pk})
    assert_inert(_get(client, people.proposer, proposal_url), "proposal, as its author")
    decide_page = _get(client, people.author, proposal_url)
    assert_inert(decide_page, "proposal, as the article's author")
    assert "<ins>" in decide_page

    services.proposal_accept(proposal=proposal, decided_by=people.author)
    article.refresh_from_db()

    article_page = _get(client, None, article.get_absolute_url())
    assert_inert(article_page, "article page")
    if comment is not None:
        assert f'id="comment-{comment.pk}"' in article_page
    history = _get(client, None, reverse("knowledge:history", kwargs={"slug": article.slug}))
    assert_inert(history, "history")
    first, second = article.history.order_by("history_date")[:2]
    for record in (first, second):
        url = reverse(
            "knowledge:revision", kwargs={"slug": article.slug, "revision_id": record.history_id}
        )
        assert_inert(_get(client, people.editor, url), f"revision {record.history_id}")

    if payload in TEMPLATE_INJECTIONS:
        for page in (article_page, history):
            assert payload in page_text(page)


# All payloads at once, on the pages with forms and moderation ----------------------------------


def test_all_payloads_together_on_every_page_that_shows_them(client, people):
    body = all_in_one()
    article = write_article(
        people.author, title="Alles auf einmal", summary="Jede Nutzlast", body=body
    )
    project = ProjectFactory()
    comments = []
    for payload in PAYLOADS:
        if "\x00" in payload:
            continue
        for subject in (article, project):
            comment = comment_services.comment_create(
                subject=subject, author=people.reader, body=payload
            )
            comments.append(comment)
            comment_services.comment_create(
                subject=subject, author=people.proposer, body=payload, parent=comment
            )
    # Reports and hidden comments with the payloads as reasons.
    for index, comment in enumerate(comments[:40]):
        reason = PAYLOADS[index % len(PAYLOADS)].replace("\x00", "")[:500]
        comment_services.comment_report(comment=comment, reporter=people.editor, reason=reason)
    for index, comment in enumerate(comments[40:60]):
        reason = PAYLOADS[index % len(PAYLOADS)].replace("\x00", "")[:500]
        comment_services.comment_hide(comment=comment, moderator=people.moderator, reason=reason)
    proposal = services.proposal_create(
        article=article,
        proposer=people.proposer,
        title=article.title,
        summary=article.summary,
        body=body + "\n\nNachtrag.",
        comment="Nachtrag",
    )
    visible_comment = comments[0]
    pages = {
        "article, anonymous": (None, article.get_absolute_url()),
        "article, the comments' author": (people.reader, article.get_absolute_url()),
        "article, the moderation": (people.moderator, article.get_absolute_url()),
        "article, its author": (people.author, article.get_absolute_url()),
        "project, anonymous": (None, project.get_absolute_url()),
        "project, the moderation": (people.moderator, project.get_absolute_url()),
        "moderation queue": (people.moderator, reverse("comments:moderation")),
        "report form": (
            people.author,
            reverse("comments:report", kwargs={"pk": visible_comment.pk}),
        ),
        "hide form": (
            people.moderator,
            reverse("comments:hide", kwargs={"pk": visible_comment.pk}),
        ),
        "comment edit form": (
            people.reader,
            reverse("comments:edit", kwargs={"pk": visible_comment.pk}),
        ),
        "article edit form": (
            people.author,
            reverse("knowledge:update", kwargs={"slug": article.slug}),
        ),
        "propose form": (
            people.editor,
            reverse("knowledge:propose", kwargs={"slug": article.slug}),
        ),
        "proposal": (people.author, reverse("knowledge:proposal", kwargs={"pk": proposal.pk})),
        "history": (None, reverse("knowledge:history", kwargs={"slug": article.slug})),
        "hub": (None, reverse("knowledge:hub")),
        "site search": (None, reverse("search:site") + "?q=Alles"),
    }
    for name, (user, url) in pages.items():
        assert_inert(_get(client, user, url), name)
    record = article.history.first()
    url = reverse(
        "knowledge:revision", kwargs={"slug": article.slug, "revision_id": record.history_id}
    )
    assert_inert(_get(client, None, url), "revision")

    client.force_login(people.author)
    preview = client.post(reverse("knowledge:preview"), {"body": body}, headers={"HX-Request": "1"})
    assert preview.status_code == 200
    assert_inert(preview.content.decode(), "live preview")
    assert "<p>" in preview.content.decode()
    form_preview = client.post(
        reverse("knowledge:update", kwargs={"slug": article.slug}),
        {
            "kind": article.kind,
            "title": article.title,
            "summary": article.summary,
            "body": body,
            "topics": [topic.pk for topic in article.topics.all()],
            "licence": article.licence,
            "preview": "1",
        },
    )
    assert form_preview.status_code == 200
    assert_inert(form_preview.content.decode(), "preview in the edit form")

    for url in (article.get_absolute_url(), project.get_absolute_url()):
        text = page_text(_get(client, None, url))
        for literal in TEMPLATE_INJECTIONS:
            assert literal in text, (url, literal)


@pytest.mark.parametrize("payload", TEMPLATE_INJECTIONS)
def test_template_syntax_in_titles_is_shown_as_written(client, people, payload):
    article = write_article(people.author, title=f"Titel {payload}", summary=f"Kurz {payload}")
    page = _get(client, None, article.get_absolute_url())
    text = page_text(page)
    assert f"Titel {payload}" in text
    assert f"Kurz {payload}" in text
    assert not re.search(r"Titel 49\b", text)


def test_the_corpus_is_large_and_varied():
    assert len(PAYLOADS) >= 60
    assert len(set(PAYLOADS)) == len(PAYLOADS)
    assert len(all_in_one()) < Article._meta.get_field("body").max_length
    assert max(len(p) for p in PAYLOADS) <= Comment._meta.get_field("body").max_length
