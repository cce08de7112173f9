"""A catalog version number in the shared cache: every write bumps it, so cached reads of the
catalog (facet counts, anonymous pages) never outlive a change, in any process."""

import functools
import hashlib

from django.contrib import messages
from django.core.cache import cache
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.utils.translation import get_language

from apps.core.db import schedule_planner_statistics

VERSION_KEY = "catalog:version"


def catalog_version() -> int:
    version = cache.get(VERSION_KEY)
    if version is None:
        version = 1
        cache.add(VERSION_KEY, version, timeout=None)
    return version


def bump_catalog_version() -> None:
    """Invalidate cached catalog reads once the current transaction has committed."""

    def bump():
        try:
            cache.incr(VERSION_KEY)
        except ValueError:
            cache.set(VERSION_KEY, 2, timeout=None)
        schedule_planner_statistics()

    transaction.on_commit(bump)


PAGE_CACHE_SECONDS = 300


def _page_key(request: HttpRequest) -> str:
    digest = hashlib.sha256(request.get_full_path().encode()).hexdigest()[:40]
    partial = "htmx" if getattr(request, "htmx", False) else "page"
    return f"catalog:page:{catalog_version()}:{get_language()}:{partial}:{digest}"


def _cacheable(request: HttpRequest) -> bool:
    return (
        request.method == "GET"
        and not request.user.is_authenticated
        and not len(messages.get_messages(request))
    )


def cache_public_page(view):
    """Serve anonymous visitors a page rendered once per catalog version from the shared cache.

    Logged-in people always get a fresh page (it shows their own actions); a write anywhere in
    the catalog bumps the version, so no cached page outlives a change.
    """

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not _cacheable(request):
            return view(request, *args, **kwargs)
        key = _page_key(request)
        cached = cache.get(key)
        if cached is not None:
            content, content_type = cached
            return HttpResponse(content, content_type=content_type)
        response = view(request, *args, **kwargs)
        if hasattr(response, "render") and not response.is_rendered:
            response.render()
        if response.status_code == 200 and not response.cookies:
            cache.set(key, (response.content, response["Content-Type"]), PAGE_CACHE_SECONDS)
        return response

    return wrapper
