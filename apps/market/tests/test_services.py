import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError

from apps.catalog.models import Site
from apps.market import services
from apps.market.models import InterestRequest, Message, RequestStatus
from apps.market.selectors import capacity_left, unread_total
from apps.organisations.models import Follow
from tests.factories import MembershipFactory, MunicipalityFactory, ProjectFactory, UserFactory

from .conftest import open_offer

S = RequestStatus
TEAM_MOVES = {
    S.NEW: {S.IN_CONVERSATION, S.AGREED, S.DECLINED},
    S.IN_CONVERSATION: {S.AGREED, S.DECLINED},
    S.AGREED: {S.SITE_STARTED, S.DECLINED},
    S.SITE_STARTED: set(),
    S.DECLINED: set(),
    S.WITHDRAWN: set(),
}
REQUESTER_MOVES = {
    S.NEW: {S.WITHDRAWN},
    S.IN_CONVERSATION: {S.WITHDRAWN},
    S.AGREED: {S.WITHDRAWN},
    S.SITE_STARTED: set(),
    S.DECLINED: set(),
    S.WITHDRAWN: set(),
}


def _request_in(scene, status: str) -> InterestRequest:
    request = scene.request()
    InterestRequest.objects.filter(pk=request.pk).update(status=status)
    request.refresh_from_db()
    return request


@pytest.mark.django_db
class TestInterest:
    def test_opens_a_conversation_with_history_and_tells_the_team(self, scene):
        request = scene.request("Wir haben 20 Ehrenamtliche in Schlitz.")
        assert request.status == S.NEW
        assert [m.body for m in request.messages.all()] == [
            "Wir haben 20 Ehrenamtliche in Schlitz."
        ]
        assert request.events.get().to_status == S.NEW
        recipients = sorted(address for m in mail.outbox for address in m.to)
        assert recipients == sorted([scene.admin.email, scene.member.email])

    def test_the_email_links_to_the_conversation_but_never_quotes_it(self, scene):
        request = scene.request("Geheime Details zu unserem Haushalt.")
        body = mail.outbox[-1].body
        assert str(request.public_id) in body
        assert "Geheime Details" not in body

    def test_the_team_cannot_ask_for_its_own_offer(self, scene):
        with pytest.raises(ValidationError):
            services.interest_request_create(
                offer=scene.offer,
                requester=scene.member,
                municipality=scene.place,
                organisation=None,
                message="Hallo",
            )
        assert not InterestRequest.objects.exists()

    def test_asking_twice_for_the_same_place_is_refused(self, scene):
        scene.request()
        with pytest.raises(ValidationError, match="bereits Interesse gemeldet"):
            scene.request()
        assert InterestRequest.objects.count() == 1

    def test_asking_again_after_withdrawing_is_allowed(self, scene):
        first = scene.request()
        services.request_transition(request=first, actor=scene.interested, to_status=S.WITHDRAWN)
        assert scene.request().pk != first.pk

    def test_speaking_for_an_organisation_needs_membership(self, scene):
        other_organisation = MembershipFactory().organisation
        with pytest.raises(ValidationError):
            services.interest_request_create(
                offer=scene.offer,
                requester=scene.interested,
                municipality=scene.place,
                organisation=other_organisation,
                message="Hallo",
            )
        assert not InterestRequest.objects.exists()

    @pytest.mark.parametrize("body", ["", "   ", "x" * 5001])
    def test_empty_or_oversized_messages_write_nothing(self, scene, body):
        with pytest.raises(ValidationError):
            scene.request(body)
        assert not InterestRequest.objects.exists()
        assert not Message.objects.exists()

    def test_a_closed_offer_takes_no_requests(self, scene):
        open_offer(scene.offer.project, scene.admin, status="closed")
        with pytest.raises(ValidationError):
            scene.request()

    def test_a_fully_booked_offer_takes_no_requests(self, scene):
        open_offer(scene.offer.project, scene.admin, capacity_per_year=0)
        with pytest.raises(ValidationError, match="in diesem Jahr keine weiteren"):
            scene.request()


@pytest.mark.django_db
class TestTransitions:
    @pytest.mark.parametrize("start", list(S))
    @pytest.mark.parametrize("target", list(S))
    def test_the_team_may_make_exactly_the_allowed_moves(self, scene, start, target):
        request = _request_in(scene, start)
        if target in TEAM_MOVES[start]:
            changed = services.request_transition(
                request=request, actor=scene.member, to_status=target, note="Passt nicht."
            )
            assert changed.status == target
            assert request.events.last().to_status == target
        else:
            events_before = request.events.count()
            with pytest.raises(ValidationError):
                services.request_transition(
                    request=request, actor=scene.member, to_status=target, note="Passt nicht."
                )
            request.refresh_from_db()
            assert request.status == start
            assert request.events.count() == events_before

    @pytest.mark.parametrize("start", list(S))
    @pytest.mark.parametrize("target", list(S))
    def test_the_requester_may_only_withdraw_an_open_request(self, scene, start, target):
        request = _request_in(scene, start)
        if target in REQUESTER_MOVES[start]:
            services.request_transition(request=request, actor=scene.interested, to_status=target)
            request.refresh_from_db()
            assert request.status == target
        else:
            with pytest.raises(ValidationError):
                services.request_transition(
                    request=request, actor=scene.interested, to_status=target
                )
            request.refresh_from_db()
            assert request.status == start

    def test_outsiders_and_moderators_cannot_move_a_request(self, scene):
        request = scene.request()
        for person in (scene.outsider, scene.moderator):
            with pytest.raises(PermissionDenied):
                services.request_transition(request=request, actor=person, to_status=S.AGREED)
        request.refresh_from_db()
        assert request.status == S.NEW

    def test_declining_needs_a_reason_which_the_requester_reads(self, scene):
        request = scene.request()
        with pytest.raises(ValidationError):
            services.request_transition(request=request, actor=scene.admin, to_status=S.DECLINED)
        mail.outbox.clear()
        declined = services.request_transition(
            request=request,
            actor=scene.admin,
            to_status=S.DECLINED,
            note="Zu weit weg von unseren Mentorinnen.",
        )
        assert declined.decline_reason == "Zu weit weg von unseren Mentorinnen."
        assert [m.to for m in mail.outbox] == [[scene.interested.email]]

    def test_site_started_adds_a_copied_site_run_by_the_requester(self, scene):
        request = _request_in(scene, S.AGREED)
        project = scene.offer.project
        sites_before = project.active_site_count
        services.request_transition(request=request, actor=scene.admin, to_status=S.SITE_STARTED)
        request.refresh_from_db()
        project.refresh_from_db()
        site = request.site
        assert site.municipality == scene.place
        assert site.copied_from == project.sites.get(is_origin=True)
        assert site.operator == scene.interested.public_name
        assert site.status == Site.Status.ACTIVE
        assert project.active_site_count == sites_before + 1
        assert capacity_left(scene.offer) == scene.offer.capacity_per_year - 1

    def test_no_site_starts_beyond_the_capacity_and_nothing_is_written(self, scene):
        open_offer(scene.offer.project, scene.admin, capacity_per_year=1)
        first = _request_in(scene, S.AGREED)
        services.request_transition(request=first, actor=scene.admin, to_status=S.SITE_STARTED)
        second = InterestRequest.objects.create(
            offer=scene.offer,
            requester=UserFactory(),
            municipality=MunicipalityFactory(),
            status=S.AGREED,
            last_activity_at=first.last_activity_at,
        )
        sites = Site.objects.count()
        with pytest.raises(ValidationError, match="keine freie Kapazität"):
            services.request_transition(request=second, actor=scene.admin, to_status=S.SITE_STARTED)
        second.refresh_from_db()
        assert second.status == S.AGREED
        assert Site.objects.count() == sites
        assert not second.events.exists()


@pytest.mark.django_db
class TestMessages:
    def test_the_teams_first_answer_moves_the_request_into_conversation(self, scene):
        request = scene.request()
        services.message_create(request=request, author=scene.member, body="Gern! Wann passt es?")
        request.refresh_from_db()
        assert request.status == S.IN_CONVERSATION
        assert request.events.last().actor == scene.member

    def test_each_new_message_is_unread_for_the_other_side_until_opened(self, scene):
        request = scene.request()
        assert unread_total(user=scene.member) == 1
        assert unread_total(user=scene.interested) == 0
        services.message_create(request=request, author=scene.member, body="Gern!")
        assert unread_total(user=scene.interested) == 1
        services.conversation_mark_read(request=request, user=scene.interested)
        assert unread_total(user=scene.interested) == 0

    def test_a_double_click_sends_the_message_once(self, scene):
        request = scene.request()
        mail.outbox.clear()
        first = services.message_create(request=request, author=scene.member, body="Gern!")
        again = services.message_create(request=request, author=scene.member, body="Gern!")
        assert again == first
        assert request.messages.count() == 2
        assert len(mail.outbox) == 1

    def test_a_closed_conversation_takes_no_messages(self, scene):
        request = scene.request()
        services.request_transition(request=request, actor=scene.interested, to_status=S.WITHDRAWN)
        with pytest.raises(ValidationError):
            services.message_create(request=request, author=scene.member, body="Schade")
        assert request.messages.count() == 1

    def test_outsiders_cannot_write_into_a_conversation(self, scene):
        request = scene.request()
        with pytest.raises(PermissionDenied):
            services.message_create(request=request, author=scene.outsider, body="Hallo")
        assert request.messages.count() == 1


@pytest.mark.django_db
class TestReports:
    def test_a_report_lets_moderators_hide_the_message(self, scene):
        request = scene.request()
        message = services.message_create(request=request, author=scene.member, body="Unfug")
        report = services.message_report(message=message, reporter=scene.interested, reason="Spam")
        assert any(scene.moderator.email in m.to for m in mail.outbox)
        services.report_resolve(report=report, moderator=scene.moderator, hide_message=True)
        message.refresh_from_db()
        assert message.is_hidden
        with pytest.raises(ValidationError):
            services.report_resolve(report=report, moderator=scene.moderator, hide_message=False)

    def test_nobody_reports_their_own_message_or_twice(self, scene):
        request = scene.request()
        first = request.messages.get()
        with pytest.raises(ValidationError):
            services.message_report(message=first, reporter=scene.interested, reason="Test")
        services.message_report(message=first, reporter=scene.member, reason="Werbung")
        with pytest.raises(ValidationError):
            services.message_report(message=first, reporter=scene.member, reason="Werbung")


@pytest.mark.django_db
def test_followers_hear_about_a_new_offer_once(scene):
    project = ProjectFactory(organisation=scene.offer.project.organisation)
    follower = UserFactory()
    Follow.objects.create(organisation=project.organisation, user=follower)
    mail.outbox.clear()
    open_offer(project, scene.admin)
    open_offer(project, scene.admin, description="Jetzt mit Starterpaket.")
    assert [m.to for m in mail.outbox] == [[follower.email]]


@pytest.mark.django_db
def test_a_double_click_on_a_status_button_changes_it_once(scene):
    request = scene.request()
    services.request_transition(request=request, actor=scene.admin, to_status=S.AGREED)
    again = services.request_transition(request=request, actor=scene.admin, to_status=S.AGREED)
    assert again.status == S.AGREED
    assert request.events.filter(to_status=S.AGREED).count() == 1


@pytest.mark.django_db
def test_an_offer_written_while_the_project_waits_is_published_with_the_project(scene):
    from apps.catalog.models import Project
    from apps.catalog.services import project_approve
    from tests.factories import moderator

    project = ProjectFactory(
        organisation=scene.offer.project.organisation,
        status=Project.Status.PENDING,
        published_at=None,
    )
    follower = UserFactory()
    Follow.objects.create(organisation=project.organisation, user=follower)
    offer = open_offer(project, scene.admin)
    assert offer.published_at is None
    mail.outbox.clear()
    project_approve(project=project, moderator=moderator())
    offer.refresh_from_db()
    assert offer.published_at is not None
    subjects = [m.subject for m in mail.outbox if m.to == [follower.email]]
    assert len(subjects) == 2  # the new project and its offer


@pytest.mark.django_db
def test_a_hidden_message_cannot_be_reported_again(scene):
    request = scene.request()
    message = services.message_create(request=request, author=scene.member, body="Unfug")
    report = services.message_report(message=message, reporter=scene.interested, reason="Spam")
    services.report_resolve(report=report, moderator=scene.moderator, hide_message=True)
    message.refresh_from_db()
    with pytest.raises(ValidationError):
        services.message_report(message=message, reporter=scene.interested, reason="Noch mal")
