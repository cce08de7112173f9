import pytest
from django.core import mail
from django.urls import reverse

from apps.catalog.models import Site
from apps.core.ratelimit import Limit
from apps.market import services, views
from apps.market.models import InterestRequest, Message, MessageReport, RequestStatus, TransferOffer

from .conftest import open_offer

ROLES = ["anonymous", "outsider", "member", "admin", "moderator", "requester"]


def _log_in(client, scene, role):
    if role != "anonymous":
        client.force_login(getattr(scene, {"requester": "interested"}.get(role, role)))


def _expected(row: str) -> list[int]:
    return [int(code) for code in row.split()]


@pytest.fixture
def conversation(scene):
    return scene.request("Wir würden den Laden gern in Schlitz eröffnen.")


@pytest.mark.django_db
class TestPermissions:
    """Every market view for every role: anonymous, another user, a member and an admin of
    the organisation behind the offer, a moderator, and the person who sent the request."""

    # 302 = to the login page for anonymous visitors, or back to a page after a write.
    @pytest.mark.parametrize(
        ("name", "method", "row"),
        [
            ("market", "get", "200 200 200 200 200 200"),
            ("offer_detail", "get", "200 200 200 200 200 200"),
            ("offer_edit", "get", "302 403 200 200 200 403"),
            ("interest", "get", "302 200 302 302 200 200"),
            ("requests", "get", "302 200 200 200 200 200"),
            ("conversation", "get", "302 404 200 200 404 200"),
            ("message_create", "post", "302 404 302 302 404 302"),
            # The member marks it agreed; the admin cannot agree twice, the requester never.
            ("transition", "post", "302 404 302 400 404 400"),
            ("report", "get", "302 404 200 200 404 200"),
            ("report_queue", "get", "302 403 403 403 200 403"),
            ("report_decide", "post", "302 403 403 403 302 403"),
        ],
    )
    def test_status_codes_by_role(self, client, scene, conversation, name, method, row):
        message = conversation.messages.get()
        report = MessageReport.objects.create(message=message, reporter=scene.member, reason="Test")
        # The moderator may read a conversation only while a report is open: tested below.
        report.resolved_at = message.created_at
        report.save()
        kwargs = {
            "market": {},
            "report_queue": {},
            "requests": {},
            "offer_detail": {"slug": scene.offer.project.slug},
            "offer_edit": {"slug": scene.offer.project.slug},
            "interest": {"slug": scene.offer.project.slug},
            "conversation": {"public_id": conversation.public_id},
            "message_create": {"public_id": conversation.public_id},
            "transition": {"public_id": conversation.public_id},
            "report": {"message_id": message.pk},
            "report_decide": {"report_id": report.pk},
        }[name]
        data = {"body": "Hallo", "to_status": RequestStatus.AGREED}
        for role, expected in zip(ROLES, _expected(row), strict=True):
            client.logout()
            _log_in(client, scene, role)
            response = getattr(client, method)(reverse(f"market:{name}", kwargs=kwargs), data)
            assert response.status_code == expected, role

    def test_a_moderator_reads_a_conversation_only_while_a_report_is_open(
        self, client, scene, conversation
    ):
        url = conversation.get_absolute_url()
        client.force_login(scene.moderator)
        assert client.get(url).status_code == 404
        services.message_report(
            message=conversation.messages.get(), reporter=scene.member, reason="Beleidigend"
        )
        response = client.get(url)
        assert response.status_code == 200
        assert "Wir würden den Laden gern" in response.content.decode()
        assert "Send message" not in response.content.decode()

    def test_a_closed_offer_is_hidden_from_everyone_but_its_team(self, client, scene):
        open_offer(scene.offer.project, scene.admin, status="closed")
        url = scene.offer.get_absolute_url()
        assert client.get(url).status_code == 404
        client.force_login(scene.outsider)
        assert client.get(url).status_code == 404
        client.force_login(scene.member)
        assert client.get(url).status_code == 200


@pytest.mark.django_db
class TestMarket:
    def test_lists_open_offers_with_capacity_left(self, client, scene):
        page = client.get(reverse("market:market")).content.decode()
        assert "Rollender Dorfladen" in page
        assert "2 of 2" not in page  # the list shows what is left, not the total
        assert "2 new sites" in page or "2 neue Standorte" in page

    def test_facets_of_the_catalog_and_of_the_offer_narrow_the_list(self, client, scene):
        url = reverse("market:market")
        assert "Rollender Dorfladen" in client.get(url, {"component": "manual"}).content.decode()
        assert (
            "Rollender Dorfladen" not in client.get(url, {"component": "licence"}).content.decode()
        )
        assert "Rollender Dorfladen" not in client.get(url, {"state": "BY"}).content.decode()
        assert "Rollender Dorfladen" in client.get(url, {"q": "Dorfladen"}).content.decode()

    def test_fully_booked_offers_can_be_left_out(self, client, scene):
        open_offer(scene.offer.project, scene.admin, capacity_per_year=0)
        url = reverse("market:market")
        assert "Rollender Dorfladen" in client.get(url).content.decode()
        assert "Rollender Dorfladen" not in client.get(url, {"capacity": "on"}).content.decode()

    def test_unknown_filter_values_are_ignored_with_a_message(self, client, scene):
        response = client.get(reverse("market:market"), {"component": "nonsense", "sort": "x"})
        assert response.status_code == 200
        assert "Rollender Dorfladen" in response.content.decode()

    def test_costs_the_same_queries_for_few_and_many_offers(self, client, scene):
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        from tests.factories import ProjectFactory

        def queries_for_the_list() -> int:
            client.force_login(scene.outsider)  # logged in: never served from the page cache
            with CaptureQueriesContext(connection) as queries:
                assert client.get(reverse("market:market")).status_code == 200
            return len(queries)

        few = queries_for_the_list()
        for _ in range(5):
            open_offer(ProjectFactory(), scene.admin)
        assert queries_for_the_list() == few


@pytest.mark.django_db
class TestInterestForm:
    def _send(self, client, scene, **data):
        client.force_login(scene.interested)
        return client.post(
            reverse("market:interest", kwargs={"slug": scene.offer.project.slug}),
            {"municipality": "Schlitz (Hessen)", "message": "Wir möchten starten.", **data},
        )

    def test_sends_interest_and_opens_the_conversation(self, client, scene):
        response = self._send(client, scene)
        request = InterestRequest.objects.get()
        assert response.status_code == 302
        assert response.url == request.get_absolute_url()
        page = client.get(response.url).content.decode()
        assert "Wir möchten starten." in page

    def test_the_team_is_pointed_to_its_own_offer_but_a_moderator_is_not(self, client, scene):
        url = reverse("market:interest", kwargs={"slug": scene.offer.project.slug})
        client.force_login(scene.member)
        page = client.get(url, follow=True).content.decode()
        assert "Angebot Ihrer eigenen Organisation" in page
        scene.offer.status = TransferOffer.Status.CLOSED
        scene.offer.save()
        client.force_login(scene.moderator)
        response = client.get(url)
        assert response.status_code == 403
        assert "eigenen Organisation" not in response.content.decode()

    def test_an_unknown_municipality_is_a_clear_error_and_writes_nothing(self, client, scene):
        response = self._send(client, scene, municipality="Atlantis")
        assert response.status_code == 200
        assert "Atlantis" in response.content.decode()
        assert not InterestRequest.objects.exists()

    def test_html_and_script_are_shown_inert(self, client, scene):
        self._send(client, scene, message='<script>alert(1)</script><img src=x onerror="x()">')
        page = client.get(InterestRequest.objects.get().get_absolute_url()).content.decode()
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
        assert "<script>alert(1)" not in page
        assert "<img" not in page

    def test_an_oversized_message_writes_nothing(self, client, scene):
        response = self._send(client, scene, message="x" * 5001)
        assert response.status_code == 200
        assert not InterestRequest.objects.exists()

    def test_a_double_submit_opens_one_conversation_and_says_so(self, client, scene):
        self._send(client, scene)
        response = self._send(client, scene)
        assert response.status_code == 200
        assert "already" in response.content.decode() or "bereits" in response.content.decode()
        assert InterestRequest.objects.count() == 1
        assert Message.objects.count() == 1

    def test_the_sixth_request_within_an_hour_is_refused_and_writes_nothing(self, client, scene):
        from tests.factories import MunicipalityFactory

        open_offer(scene.offer.project, scene.admin, capacity_per_year=20)
        for _ in range(5):
            place = MunicipalityFactory()
            assert self._send(client, scene, municipality=place.label).status_code == 302
        response = self._send(client, scene, municipality=MunicipalityFactory().label)
        assert response.status_code == 429
        assert InterestRequest.objects.count() == 5
        assert "wait" in response.content.decode() or "warten" in response.content.decode()

    def test_many_accounts_from_one_address_are_limited_too(self, client, scene, monkeypatch):
        from tests.factories import UserFactory

        monkeypatch.setattr(
            views,
            "INTEREST_LIMIT",
            Limit("interest", per_user=5, per_ip=2, window=views.INTEREST_LIMIT.window),
        )
        for _ in range(2):
            scene.interested = UserFactory()
            assert self._send(client, scene).status_code == 302
        scene.interested = UserFactory()
        assert self._send(client, scene).status_code == 429
        assert InterestRequest.objects.count() == 2


@pytest.mark.django_db
class TestConversation:
    def test_both_sides_write_and_each_is_told_by_email(self, client, scene, conversation):
        mail.outbox.clear()
        client.force_login(scene.member)
        response = client.post(
            reverse("market:message_create", kwargs={"public_id": conversation.public_id}),
            {"body": "Gern! Passt Ihnen Dienstag?"},
        )
        assert response.status_code == 302
        assert [m.to for m in mail.outbox] == [[scene.interested.email]]
        assert "Dienstag" not in mail.outbox[0].body
        conversation.refresh_from_db()
        assert conversation.status == RequestStatus.IN_CONVERSATION

    def test_unread_messages_show_in_the_navigation_until_read(self, client, scene, conversation):
        client.force_login(scene.member)
        home = client.get(reverse("market:requests")).content.decode()
        assert 'class="count-badge">1<' in home
        client.get(conversation.get_absolute_url())
        assert 'class="count-badge"' not in client.get(reverse("market:requests")).content.decode()

    def test_the_team_walks_the_request_to_a_started_site_shown_on_the_map(
        self, client, scene, conversation
    ):
        client.force_login(scene.admin)
        url = reverse("market:transition", kwargs={"public_id": conversation.public_id})
        for status in (RequestStatus.AGREED, RequestStatus.SITE_STARTED):
            assert client.post(url, {"to_status": status}).status_code == 302
        site = Site.objects.get(project=scene.offer.project, municipality=scene.place)
        project_page = client.get(scene.offer.project.get_absolute_url()).content.decode()
        assert "Schlitz" in project_page
        history = client.get(conversation.get_absolute_url()).content.decode()
        assert "Site started" in history or "Standort gestartet" in history
        assert site.copied_from.is_origin

    def test_a_forbidden_move_is_explained_and_changes_nothing(self, client, scene, conversation):
        client.force_login(scene.admin)
        response = client.post(
            reverse("market:transition", kwargs={"public_id": conversation.public_id}),
            {"to_status": RequestStatus.SITE_STARTED},
        )
        assert response.status_code == 400
        conversation.refresh_from_db()
        assert conversation.status == RequestStatus.NEW
        assert not Site.objects.filter(municipality=scene.place).exists()

    def test_declining_without_a_reason_is_refused(self, client, scene, conversation):
        client.force_login(scene.admin)
        response = client.post(
            reverse("market:transition", kwargs={"public_id": conversation.public_id}),
            {"to_status": RequestStatus.DECLINED, "note": "  "},
        )
        assert response.status_code == 400
        conversation.refresh_from_db()
        assert conversation.status == RequestStatus.NEW

    def test_the_31st_message_within_an_hour_is_refused(self, client, scene, conversation):
        client.force_login(scene.interested)
        url = reverse("market:message_create", kwargs={"public_id": conversation.public_id})
        for number in range(30):
            assert client.post(url, {"body": f"Nachricht {number}"}).status_code == 302
        response = client.post(url, {"body": "Noch eine"})
        assert response.status_code == 429
        assert not Message.objects.filter(body="Noch eine").exists()

    def test_the_page_costs_a_fixed_number_of_queries(
        self, client, scene, conversation, django_assert_max_num_queries
    ):
        for number in range(10):
            services.message_create(request=conversation, author=scene.member, body=f"N{number}")
        client.force_login(scene.interested)
        with django_assert_max_num_queries(25):
            client.get(conversation.get_absolute_url())

    def test_a_participant_reports_and_a_moderator_hides_the_message(
        self, client, scene, conversation
    ):
        message = services.message_create(
            request=conversation, author=scene.member, body="Kaufen Sie billige Uhren!"
        )
        client.force_login(scene.interested)
        client.post(reverse("market:report", kwargs={"message_id": message.pk}), {"reason": "Spam"})
        client.force_login(scene.moderator)
        queue = client.get(reverse("market:report_queue")).content.decode()
        assert "billige Uhren" in queue
        report = MessageReport.objects.get()
        client.post(
            reverse("market:report_decide", kwargs={"report_id": report.pk}),
            {"hide_message": "on"},
        )
        client.force_login(scene.interested)
        page = client.get(conversation.get_absolute_url()).content.decode()
        assert "billige Uhren" not in page


@pytest.mark.django_db
class TestOfferForm:
    def _post(self, client, scene, **data):
        client.force_login(scene.member)
        return client.post(
            reverse("market:offer_edit", kwargs={"slug": scene.offer.project.slug}),
            {
                "status": "open",
                "components": ["training"],
                "description": "Zwei Schulungstage vor Ort.",
                "fee_eur": 0,
                "people_needed": 4,
                "budget_eur": 1500,
                "months_to_start": 3,
                "setting": "rural",
                "capacity_per_year": 5,
                **data,
            },
        )

    def test_the_team_changes_its_offer(self, client, scene):
        response = self._post(client, scene)
        assert response.status_code == 302, response.context["form"].errors
        scene.offer.refresh_from_db()
        assert scene.offer.capacity_per_year == 5
        assert [c.code for c in scene.offer.components.all()] == ["training"]

    def test_an_inverted_population_range_is_refused_and_changes_nothing(self, client, scene):
        response = self._post(client, scene, min_population=20_000, max_population=5_000)
        assert response.status_code == 200
        scene.offer.refresh_from_db()
        assert scene.offer.capacity_per_year == 2
        assert scene.offer.min_population is None

    def test_a_negative_capacity_is_refused(self, client, scene):
        response = self._post(client, scene, capacity_per_year=-3)
        assert response.status_code == 200
        scene.offer.refresh_from_db()
        assert scene.offer.capacity_per_year == 2


@pytest.mark.django_db
def test_the_request_list_filters_and_ignores_nonsense(client, scene, conversation):
    client.force_login(scene.member)
    url = reverse("market:requests")
    assert "Schlitz" in client.get(url, {"status": "new"}).content.decode()
    assert "Schlitz" not in client.get(url, {"status": "agreed"}).content.decode()
    assert "Schlitz" not in client.get(url, {"side": "sent"}).content.decode()
    assert "Schlitz" in client.get(url, {"side": "received"}).content.decode()
    response = client.get(url, {"status": "<bogus>", "side": "x", "page": "999"})
    assert response.status_code == 200


@pytest.mark.django_db
def test_only_a_report_by_a_participant_lets_a_moderator_in(client, scene, conversation):
    MessageReport.objects.create(
        message=conversation.messages.get(), reporter=scene.outsider, reason="Neugier"
    )
    client.force_login(scene.moderator)
    assert client.get(conversation.get_absolute_url()).status_code == 404


@pytest.mark.django_db
def test_the_report_page_of_a_hidden_message_is_gone(client, scene, conversation):
    message = conversation.messages.get()
    message.is_hidden = True
    message.save()
    client.force_login(scene.member)
    response = client.get(reverse("market:report", kwargs={"message_id": message.pk}))
    assert response.status_code == 404
