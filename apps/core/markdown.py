"""Markdown for user-written text: rendered with markdown-it, then cleaned with nh3."""

import re

import nh3
from django.conf import settings
from markdown_it import MarkdownIt

_renderer = MarkdownIt("commonmark", {"html": False, "linkify": False}).enable("table")

ALLOWED_TAGS = {
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
}
ALLOWED_TAGS.add("img")
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "img": {"src", "alt", "title"}}


# What our uploads are named: letters, digits, _ and - in folders, one extension.
_UPLOAD_PATH = re.compile(r"(?:[A-Za-z0-9_-]+/)*[A-Za-z0-9_-]+\.[A-Za-z0-9]+", re.ASCII)


def _only_own_images(tag: str, attribute: str, value: str) -> str | None:
    """Images come from our own uploads only: no tracking pixels, no hot-linked pictures.

    The path must be a plain upload name under MEDIA_URL, so no encoded dots, backslashes or
    second slashes can lead the browser elsewhere."""
    if tag == "img" and attribute == "src":
        media = settings.MEDIA_URL
        own = value.startswith(media) and _UPLOAD_PATH.fullmatch(value[len(media) :])
        return value if own else None
    return value


def render_markdown(text: str) -> str:
    """Return safe HTML for Markdown source; raw HTML in the source is escaped, not rendered."""
    html = _renderer.render(text or "")
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        attribute_filter=_only_own_images,
        url_schemes={"http", "https", "mailto"},
        link_rel="nofollow ugc noopener",
    )
