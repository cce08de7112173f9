"""The demo market: offers and conversations on the demo catalog, loaded through the services."""

import datetime
import itertools

import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from apps.accounts.models import User
from apps.catalog.models import Site
from apps.market.demo.loader import (
    TEAM_EMAIL,
    conversation_records,
    load_market_demo,
    offer_records,
)
from apps.market.models import (
    ConversationRead,
    InterestRequest,
    Message,
    MessageReport,
    RequestEvent,
    RequestStatus,
    TransferOffer,
)
from apps.market.selectors import with_capacity
from apps.organisations.models import Membership, Organisation
from tests.demo_loading import load_demo_projects, loaded_for_module

pytestmark = pytest.mark.django_db

S = RequestStatus


def _load_market_with_its_projects():
    titles = {record["project"] for record in offer_records()}
    load_demo_projects(titles, days_ago=lambda index: 400 + index)
    return load_market_demo()


@pytest.fixture(scope="module")
def demo_market(django_db_setup, django_db_blocker):
    with loaded_for_module(django_db_blocker, _load_market_with_its_projects) as loaded:
        yield loaded


def _snapshot() -> dict[str, int]:
    return {
        model.__name__: model.objects.count()
        for model in (
            TransferOffer,
            InterestRequest,
            Message,
            RequestEvent,
            ConversationRead,
            MessageReport,
            Site,
            User,
            Organisation,
            Membership,
        )
    }


def test_everything_in_the_data_files_is_loaded(demo_market):
    conversations = conversation_records()["conversations"]
    assert demo_market["offers"] == len(offer_records()) == TransferOffer.objects.count()
    assert demo_market["conversations"] == len(conversations) == InterestRequest.objects.count()
    assert demo_market["skipped"] == 0
    assert demo_market.get("missing_projects", 0) == 0
    assert Message.objects.count() == sum(
        1 for record in conversations for step in record["steps"] if step.get("message")
    )


def test_the_market_page_lists_the_open_offers(client, demo_market):
    content = client.get("/markt/").content.decode()
    open_offers = TransferOffer.objects.open().select_related("project")
    closed = TransferOffer.objects.filter(status=TransferOffer.Status.CLOSED)
    assert open_offers.count() >= 15
    assert closed.exists()
    for offer in open_offers:
        assert offer.get_absolute_url() in content
    for offer in closed:
        assert offer.get_absolute_url() not in content


def test_conversations_reach_every_state_through_valid_moves(demo_market):
    statuses = set(InterestRequest.objects.values_list("status", flat=True))
    assert statuses == set(S.values)
    for request in InterestRequest.objects.select_related("offer"):
        moves = list(request.events.order_by("created_at", "id"))
        assert moves[0].to_status == S.NEW
        for before, after in itertools.pairwise(moves):
            assert after.from_status == before.to_status
        assert moves[-1].to_status == request.status
        assert request.messages.exists()
        assert request.created_at >= request.offer.published_at
    declined = InterestRequest.objects.filter(status=S.DECLINED)
    assert all(request.decline_reason for request in declined)


def test_a_started_site_is_on_the_map_of_its_project(demo_market):
    started = InterestRequest.objects.filter(status=S.SITE_STARTED).select_related("site")
    assert started.count() >= 2
    for request in started:
        assert request.site.project_id == request.offer.project_id
        assert request.site.municipality_id == request.municipality_id
        started_at = request.events.get(to_status=S.SITE_STARTED).created_at
        assert request.site.started_on == timezone.localtime(started_at).date()


def test_some_offers_are_fully_booked_by_their_started_sites(demo_market):
    booked = with_capacity(TransferOffer.objects.open()).filter(capacity_left=0)
    assert booked.exists()
    for offer in booked:
        assert offer.requests.filter(status=S.SITE_STARTED).exists()


def test_the_history_lies_in_the_past_months(demo_market):
    now = timezone.now()
    times = list(Message.objects.values_list("created_at", flat=True))
    times += list(RequestEvent.objects.values_list("created_at", flat=True))
    assert max(times) < now - datetime.timedelta(minutes=1)
    assert min(times) < now - datetime.timedelta(days=120)
    for request in InterestRequest.objects.all():
        assert request.last_activity_at >= request.created_at


def test_the_demo_logins_see_both_sides(client, demo_market):
    team = User.objects.get(email=TEAM_EMAIL)
    for offer in TransferOffer.objects.select_related("project"):
        assert Membership.objects.filter(
            user=team, organisation=offer.project.organisation_id, role=Membership.Role.ADMIN
        ).exists()
    assert client.login(email=TEAM_EMAIL, password="transferhub-demo")
    assert client.get("/anfragen/").status_code == 200
    anna = User.objects.get(email="anna@transferhub.example")
    assert anna.emailaddress_set.get().verified
    request = anna.interest_requests.first()
    client.force_login(anna)
    assert client.get(request.get_absolute_url()).status_code == 200


def test_loading_twice_changes_nothing(demo_market):
    before = _snapshot()
    again = load_market_demo()
    assert again["offers"] == again["conversations"] == again["accounts"] == 0
    assert again["skipped"] == 0
    assert _snapshot() == before


def test_loading_sends_no_email_and_queues_no_task(settings, demo_market):
    TransferOffer.objects.all().delete()
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "mail.invalid"
    loaded = load_market_demo()
    assert loaded["conversations"] == InterestRequest.objects.count() > 0
    assert not DBTaskResult.objects.exists()
