"""Browser journeys in real headless Chromium (Debian's package), driven by Playwright.

Without Chromium they skip loudly on a developer machine; under CI=true they fail instead.
"""

import os
import warnings
from pathlib import Path

import pytest

CHROMIUM = Path(os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# Playwright's sync API runs an event loop in this thread; the test code and the live server
# still use the database synchronously, which is safe here.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(autouse=True)
def _vocabulary(transactional_db):
    """Journeys run in committed transactions, and the flush between them also removes the
    vocabulary rows the migrations created; put them back before each journey."""
    from apps.catalog.models import TargetGroup, Topic, TransferFormat
    from apps.catalog.vocabulary import ensure_vocabulary
    from apps.market.models import OfferComponent
    from apps.market.vocabulary import ensure_offer_components

    ensure_vocabulary(Topic, TargetGroup, TransferFormat)
    ensure_offer_components(OfferComponent)


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        message = f"BROWSER TESTS SKIPPED: no Chromium at {CHROMIUM} (apt-get install chromium)"
        if os.environ.get("CI"):
            pytest.fail(message + " – CI must run them.")
        warnings.warn(message, stacklevel=1)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def new_page(browser, live_server):
    """Opens pages in fresh browser contexts (separate cookies = separate people), with
    Playwright's context options if a test needs them (JavaScript off, CSP bypassed)."""
    contexts = []

    def open_page(locale: str = "de-DE", **options):
        context = browser.new_context(base_url=live_server.url, locale=locale, **options)
        context.set_default_timeout(10_000)
        # No tiles from the internet in tests: answer tile requests with nothing.
        context.route("https://tile.openstreetmap.org/**", lambda route: route.abort())
        contexts.append(context)
        return context.new_page()

    yield open_page
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_page):
    return new_page()
