"""The public market pages come from the shared page cache for anonymous visitors; every write
that changes what they show must reach those visitors at once."""

import pytest
from django.urls import reverse

from apps.catalog.models import Project
from apps.catalog.services import project_approve
from apps.market import services
from apps.market.models import RequestStatus, TransferOffer
from tests.factories import ProjectFactory

from .conftest import open_offer

pytestmark = pytest.mark.django_db
MARKET = reverse("market:market")
# A change both pages show: the people a new site needs, in the list (tests run in German)
# and in the offer's facts.
CHANGE = {"people_needed": 17}
SHOWN = ("17 Personen", "<dd>17</dd>")


def _shows_the_change(client, scene) -> tuple[bool, bool]:
    return (
        SHOWN[0] in _page(client, MARKET),
        SHOWN[1] in _page(client, scene.offer.get_absolute_url()),
    )


@pytest.fixture
def written(django_capture_on_commit_callbacks):
    """A write as a request makes it: committed, so the catalog version is bumped."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


def _page(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def test_anonymous_visitors_get_the_market_pages_from_the_cache(
    client, scene, django_assert_num_queries
):
    for url in (MARKET, scene.offer.get_absolute_url()):
        _page(client, url)
        with django_assert_num_queries(2):  # catalog version and page, both from the cache
            assert "Rollender Dorfladen" in _page(client, url)


def test_a_changed_offer_shows_at_once_on_both_pages(client, scene, written):
    assert _shows_the_change(client, scene) == (False, False)
    with written():
        open_offer(scene.offer.project, scene.admin, **CHANGE)
    assert _shows_the_change(client, scene) == (True, True)


def test_a_closed_offer_leaves_the_market_at_once(client, scene, written):
    assert "Rollender Dorfladen" in _page(client, MARKET)
    with written():
        open_offer(scene.offer.project, scene.admin, status=TransferOffer.Status.CLOSED)
    assert "Rollender Dorfladen" not in _page(client, MARKET)
    assert client.get(scene.offer.get_absolute_url()).status_code == 404


def test_a_started_site_shows_on_the_offer_page_at_once(client, scene, written):
    interest = scene.request()
    services.request_transition(request=interest, actor=scene.admin, to_status=RequestStatus.AGREED)
    assert "Schlitz" not in _page(client, scene.offer.get_absolute_url())
    with written():
        services.request_transition(
            request=interest, actor=scene.admin, to_status=RequestStatus.SITE_STARTED
        )
    assert "Schlitz" in _page(client, scene.offer.get_absolute_url())


def test_an_offer_waiting_for_its_project_appears_when_the_project_is_approved(
    client, scene, written
):
    project = ProjectFactory(title="Bücherbus am See", status=Project.Status.PENDING)
    open_offer(project, scene.admin)
    assert "Bücherbus am See" not in _page(client, MARKET)
    with written():
        project_approve(project=project, moderator=scene.moderator)
    assert "Bücherbus am See" in _page(client, MARKET)


def test_logged_in_people_get_a_fresh_page_while_visitors_get_the_cached_one(client, scene):
    assert _shows_the_change(client, scene) == (False, False)
    # Not committed: the version stays, so only a page rendered anew shows the change.
    open_offer(scene.offer.project, scene.admin, **CHANGE)
    assert _shows_the_change(client, scene) == (False, False)
    client.force_login(scene.outsider)
    assert _shows_the_change(client, scene) == (True, True)
