"""A person downloads everything stored about them, and deletes their account: their personal
data goes, what they contributed in public stays, attributed to a deleted user."""

import json
from dataclasses import dataclass

import pytest
from allauth.account.models import EmailAddress
from django.apps import apps
from django.contrib.sessions.models import Session
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from apps.accounts.models import User
from apps.catalog.models import Project, Topic
from apps.comments import services as comment_services
from apps.comments.models import Comment
from apps.core.models import RateLimitHit
from apps.knowledge import services as knowledge_services
from apps.knowledge.models import Article, ArticleFollow, EditProposal, TopicFollow
from apps.market import services as market_services
from apps.market.models import InterestRequest, Message, OfferComponent, TransferOffer
from apps.organisations.models import (
    Follow,
    Invitation,
    Membership,
    MembershipRequest,
    Organisation,
)
from tests.factories import (
    FollowFactory,
    MembershipFactory,
    MembershipRequestFactory,
    MunicipalityFactory,
    ProjectFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

PASSWORD = "correct-horse-battery"
DELETED_USER_DE = "gelöschtes Nutzerkonto"


def open_offer(project: Project, actor: User) -> TransferOffer:
    return market_services.offer_save(
        project=project,
        actor=actor,
        components=OfferComponent.objects.filter(code__in=["manual"]),
        description="Handbuch und ein Jahr Begleitung.",
        capacity_per_year=50,
    )


def write_article(author: User, title: str, *, publish: bool = True) -> Article:
    return knowledge_services.article_create(
        author=author,
        topics=[Topic.objects.get(slug="nachbarschaft-und-engagement")],
        publish=publish,
        kind="report",
        title=title,
        summary="Wie es bei uns lief.",
        body="Am Anfang stand eine Versammlung mit 40 Leuten.",
    )


@dataclass
class World:
    """Anna, whose data it is; an organisation with an offer and its administrator; another
    person with a private conversation of their own."""

    anna: User
    admin: User
    other: User
    project: Project
    offer: TransferOffer

    def interest(self, person: User, message: str) -> InterestRequest:
        return market_services.interest_request_create(
            offer=self.offer,
            requester=person,
            municipality=MunicipalityFactory(),
            organisation=None,
            message=message,
        )

    def give_anna(self, count: int) -> None:
        """`count` of everything a person can leave behind on the platform."""
        anna = self.anna
        for number in range(count):
            MembershipFactory(user=anna)
            FollowFactory(user=anna)
            MembershipRequestFactory(user=anna, message=f"Anfrage von Anna {number}")
            Invitation.objects.create(
                organisation=MembershipFactory().organisation,
                email=anna.email.upper(),
                invited_by=self.admin,
            )
            request = self.interest(anna, f"Annas Anfrage {number}")
            reply = market_services.message_create(
                request=request, author=self.admin, body=f"Antwort der Organisation {number}"
            )
            market_services.message_report(
                message=reply, reporter=anna, reason=f"Annas Meldung {number}"
            )
            article = write_article(anna, f"Annas Artikel {number}")
            knowledge_services.follow_article(article=article, user=anna, follow=True)
            foreign = write_article(self.admin, f"Artikel der Verwaltung {number}")
            knowledge_services.proposal_create(
                article=foreign,
                proposer=anna,
                title=foreign.title,
                summary=foreign.summary,
                body=foreign.body + " Ergänzt von Anna.",
                comment=f"Annas Vorschlag {number}",
            )
            comment_services.comment_create(
                subject=self.project, author=anna, body=f"Annas Kommentar {number}"
            )
            theirs = comment_services.comment_create(
                subject=self.project, author=self.other, body=f"Ottos Kommentar {number}"
            )
            comment_services.comment_report(
                comment=theirs, reporter=anna, reason=f"Annas Kommentarmeldung {number}"
            )
            RateLimitHit.objects.create(
                scope="comment", client=f"user:{anna.pk}", created_at=timezone.now()
            )
        for topic in Topic.objects.order_by("pk")[:count]:
            knowledge_services.follow_topic(topic=topic, user=anna, follow=True)


@pytest.fixture
def world() -> World:
    project = ProjectFactory(title="Rollender Dorfladen", slug="rollender-dorfladen")
    admin = MembershipFactory(
        organisation=project.organisation,
        role=Membership.Role.ADMIN,
        user=UserFactory(email="verwaltung@example.org", display_name="Vera Verwaltung"),
    ).user
    return World(
        anna=UserFactory(email="anna@example.org", display_name="Anna Auskunft"),
        admin=admin,
        other=UserFactory(email="otto.geheim@example.org", display_name="Otto Anders"),
        project=project,
        offer=open_offer(project, admin),
    )


def export(client, user: User) -> dict:
    client.force_login(user)
    response = client.get(reverse("accounts:data_export"))
    assert response.status_code == 200
    return json.loads(response.content)


def row_counts() -> dict[str, int]:
    """Rows per table; failed passwords count against the login throttling on purpose."""
    return {
        model._meta.label: model._default_manager.count()
        for model in apps.get_models()
        if model._meta.managed and model._meta.app_label != "axes"
    }


def delete_account(client, user: User, password: str = PASSWORD):
    client.force_login(user)
    return client.post(reverse("accounts:delete"), {"password": password})


# Download -------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["accounts:my_data", "accounts:data_export", "accounts:delete"])
def test_anonymous_visitors_are_sent_to_the_login_page(client, name):
    response = client.get(reverse(name))
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


def test_the_data_page_offers_the_download_and_the_deletion(client, world):
    client.force_login(world.anna)
    response = client.get(reverse("accounts:my_data"))
    assert response.status_code == 200
    assert reverse("accounts:data_export").encode() in response.content
    assert reverse("accounts:delete").encode() in response.content


def test_every_page_links_a_logged_in_person_to_their_data(client, world):
    link = f'href="{reverse("accounts:my_data")}"'
    assert link not in client.get(reverse("catalog:home")).content.decode()
    client.force_login(world.anna)
    page = client.get(reverse("catalog:home")).content.decode()
    assert f"{link}>Meine Daten</a>" in page


def test_the_download_is_a_json_attachment_that_no_cache_keeps(client, world):
    client.force_login(world.anna)
    response = client.get(reverse("accounts:data_export"))
    assert response["Content-Type"].startswith("application/json")
    assert response["Content-Disposition"].startswith('attachment; filename="transferhub-')
    assert "no-store" in response["Cache-Control"]


def test_the_download_holds_the_persons_own_data(client, world):
    world.give_anna(1)
    data = export(client, world.anna)
    assert data["account"]["email"] == "anna@example.org"
    assert data["account"]["display_name"] == "Anna Auskunft"
    assert "password" not in data["account"]
    assert [address["email"] for address in data["email_addresses"]] == ["anna@example.org"]
    assert data["memberships"][0]["role"] == "member"
    assert data["membership_requests"][0]["message"] == "Anfrage von Anna 0"
    assert data["invitations_received"][0]["email"] == "ANNA@EXAMPLE.ORG"
    assert len(data["follows"]["organisations"]) == 1
    assert data["follows"]["articles"][0]["article"] == "Annas Artikel 0"
    assert len(data["follows"]["topics"]) == 1
    [conversation] = data["conversations"]
    assert conversation["project"]["title"] == "Rollender Dorfladen"
    assert conversation["your_side"] == "requester"
    assert conversation["other_side"] == world.project.organisation.name
    assert conversation["status"] == "in_conversation"
    assert [event["to"] for event in conversation["status_history"]] == [
        "new",
        "in_conversation",
    ]
    assert [event["by"] for event in conversation["status_history"]] == ["you", "Vera Verwaltung"]
    assert [message["text"] for message in conversation["your_messages"]] == ["Annas Anfrage 0"]
    assert data["message_reports"][0]["reason"] == "Annas Meldung 0"
    assert [article["title"] for article in data["articles"]] == ["Annas Artikel 0"]
    assert [revision["title"] for revision in data["revisions"]] == ["Annas Artikel 0"]
    assert data["edit_proposals"][0]["comment"] == "Annas Vorschlag 0"
    assert [comment["text"] for comment in data["comments"]] == ["Annas Kommentar 0"]
    assert data["comment_reports"][0]["reason"] == "Annas Kommentarmeldung 0"
    assert data["rate_limit_records"][0]["action"] == "comment"


def test_the_download_holds_the_messages_the_person_wrote_for_their_organisation(client, world):
    world.interest(world.other, "Ottos Anfrage")
    request = InterestRequest.objects.get(requester=world.other)
    market_services.message_create(request=request, author=world.admin, body="Veras Antwort")
    [conversation] = export(client, world.admin)["conversations"]
    assert conversation["your_side"] == "organisation"
    assert conversation["other_side"] == "Otto Anders"
    assert [message["text"] for message in conversation["your_messages"]] == ["Veras Antwort"]


def test_the_download_leaves_out_other_peoples_private_data(client, world):
    world.give_anna(1)
    world.interest(world.other, "Ottos geheime Anfrage")
    content = json.dumps(export(client, world.anna), ensure_ascii=False)
    assert "Ottos geheime Anfrage" not in content  # another person's conversation
    assert "Antwort der Organisation" not in content  # the other side's message to Anna
    assert "Ottos Kommentar" not in content
    assert "verwaltung@example.org" not in content
    assert "otto.geheim@example.org" not in content
    assert world.anna.password not in content  # the password hash


def test_the_download_costs_the_same_number_of_queries_for_few_and_many_items(client, world):
    world.give_anna(1)
    client.force_login(world.anna)
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("accounts:data_export"))
    world.give_anna(3)
    with CaptureQueriesContext(connection) as many:
        response = client.get(reverse("accounts:data_export"))
    assert len(json.loads(response.content)["conversations"]) == 4
    assert len(many.captured_queries) == len(few.captured_queries)


# Deletion -------------------------------------------------------------------------------------


def test_deleting_the_account_removes_the_personal_data_and_logs_out_everywhere(client, world):
    world.give_anna(2)
    anna = world.anna
    other_device = Client()
    other_device.force_login(anna)
    response = delete_account(client, anna)
    assert response.status_code == 302
    assert response.url == reverse("catalog:home")
    assert not User.objects.filter(pk=anna.pk).exists()
    assert not EmailAddress.objects.filter(email__iexact="anna@example.org").exists()
    assert not Membership.objects.filter(user_id=anna.pk).exists()
    assert not MembershipRequest.objects.filter(user_id=anna.pk).exists()
    assert not Invitation.objects.filter(email__iexact="anna@example.org").exists()
    assert not Follow.objects.filter(user_id=anna.pk).exists()
    assert not ArticleFollow.objects.filter(user_id=anna.pk).exists()
    assert not TopicFollow.objects.filter(user_id=anna.pk).exists()
    assert not RateLimitHit.objects.filter(client=f"user:{anna.pk}").exists()
    assert not Session.objects.filter(session_key=other_device.session.session_key).exists()
    assert "_auth_user_id" not in client.session
    home = client.get(response.url)
    assert [message.level_tag for message in home.context["messages"]] == ["success"]


def test_the_interest_requests_the_person_sent_go_with_their_conversation(client, world):
    # InterestRequest.requester cascades: the organisation loses these conversations too.
    world.give_anna(1)
    delete_account(client, world.anna)
    assert not InterestRequest.objects.exists()
    assert not Message.objects.filter(body__startswith="Annas Anfrage").exists()


def test_public_contributions_stay_and_are_shown_as_by_a_deleted_user(client, world):
    world.give_anna(1)
    request = world.interest(world.other, "Ottos Anfrage")
    anna_in_team = MembershipFactory(organisation=world.project.organisation, user=world.anna)
    market_services.message_create(request=request, author=anna_in_team.user, body="Annas Rat")
    article = Article.objects.get(title="Annas Artikel 0")
    delete_account(client, world.anna)

    article.refresh_from_db()
    assert article.author is None
    assert not Article.history.filter(author_id=world.anna.pk).exists()
    assert article.history.get().history_user is None
    assert Comment.objects.get(body="Annas Kommentar 0").author is None
    assert EditProposal.objects.get(comment="Annas Vorschlag 0").proposer is None
    assert Message.objects.get(body="Annas Rat").author is None

    article_page = client.get(article.get_absolute_url()).content.decode()
    assert DELETED_USER_DE in article_page
    assert "Anna Auskunft" not in article_page
    project_page = client.get(world.project.get_absolute_url()).content.decode()
    assert "Annas Kommentar 0" in project_page
    assert DELETED_USER_DE in project_page
    assert "Anna Auskunft" not in project_page
    client.force_login(world.other)
    conversation = client.get(request.get_absolute_url()).content.decode()
    assert "Annas Rat" in conversation
    assert DELETED_USER_DE in conversation


def test_pages_cached_for_anonymous_visitors_no_longer_show_the_name(
    client, world, django_capture_on_commit_callbacks
):
    article = write_article(world.anna, "Ein Bericht aus Schlitz")
    assert "Anna Auskunft" in client.get(article.get_absolute_url()).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        delete_account(Client(), world.anna)
    assert "Anna Auskunft" not in client.get(article.get_absolute_url()).content.decode()


def test_drafts_only_the_person_worked_on_are_deleted_with_the_account(client, world):
    draft = write_article(world.anna, "Annas Entwurf", publish=False)
    shared = write_article(world.anna, "Gemeinsamer Entwurf", publish=False)
    knowledge_services.article_update(
        article=shared, editor=world.admin, comment="Ergänzt", body="Neuer Text."
    )
    delete_account(client, world.anna)
    assert not Article.objects.filter(pk=draft.pk).exists()
    assert not Article.history.filter(id=draft.pk).exists()
    assert Article.objects.filter(pk=shared.pk).exists()


def test_comments_the_person_took_back_lose_their_text(client, world):
    comment = comment_services.comment_create(
        subject=world.project, author=world.anna, body="Lieber doch nicht"
    )
    comment_services.comment_delete(comment=comment, actor=world.anna)
    delete_account(client, world.anna)
    comment.refresh_from_db()
    assert comment.body == ""
    assert comment.deleted_at is not None


def test_the_only_admin_of_an_organisation_with_members_cannot_delete_and_nothing_changes(
    client, world
):
    world.give_anna(1)
    organisation = Organisation.objects.create(name="Annas Verein", slug="annas-verein")
    Membership.objects.create(organisation=organisation, user=world.anna, role="admin")
    Membership.objects.create(organisation=organisation, user=world.other, role="member")
    client.force_login(world.anna)
    before = row_counts()
    response = client.post(reverse("accounts:delete"), {"password": PASSWORD})
    assert response.status_code == 200
    assert "Annas Verein" in response.content.decode()
    assert row_counts() == before
    assert User.objects.filter(pk=world.anna.pk).exists()
    assert "_auth_user_id" in client.session


def test_the_page_warns_the_only_admin_before_they_try(client, world):
    organisation = Organisation.objects.create(name="Annas Verein", slug="annas-verein")
    Membership.objects.create(organisation=organisation, user=world.anna, role="admin")
    Membership.objects.create(organisation=organisation, user=world.other, role="member")
    client.force_login(world.anna)
    response = client.get(reverse("accounts:delete"))
    assert reverse("organisations:members", args=["annas-verein"]) in response.content.decode()


def test_one_of_two_admins_and_the_only_member_of_an_organisation_may_delete(client, world):
    shared = Organisation.objects.create(name="Zwei Leitungen", slug="zwei-leitungen")
    Membership.objects.create(organisation=shared, user=world.anna, role="admin")
    Membership.objects.create(organisation=shared, user=world.other, role="admin")
    alone = Organisation.objects.create(name="Nur Anna", slug="nur-anna")
    Membership.objects.create(organisation=alone, user=world.anna, role="admin")
    response = delete_account(client, world.anna)
    assert response.status_code == 302
    assert list(shared.memberships.values_list("user", flat=True)) == [world.other.pk]
    # The organisation and its projects are public; it stays, without members.
    assert Organisation.objects.filter(pk=alone.pk).exists()
    assert not alone.memberships.exists()


def test_a_wrong_password_deletes_nothing(client, world):
    world.give_anna(1)
    client.force_login(world.anna)
    before = row_counts()
    response = client.post(reverse("accounts:delete"), {"password": "not-the-password"})
    assert response.status_code == 200
    assert response.context["form"].errors["password"]
    assert row_counts() == before
    assert "_auth_user_id" in client.session


def test_an_account_without_a_password_confirms_with_its_email_address(client, world):
    world.anna.set_unusable_password()
    world.anna.save()
    client.force_login(world.anna)
    wrong = client.post(reverse("accounts:delete"), {"email": "otto.geheim@example.org"})
    assert wrong.status_code == 200
    assert User.objects.filter(pk=world.anna.pk).exists()
    right = client.post(reverse("accounts:delete"), {"email": " Anna@Example.org "})
    assert right.status_code == 302
    assert not User.objects.filter(pk=world.anna.pk).exists()


def test_failed_logins_recorded_for_the_address_go_with_the_account(client, world):
    client.force_login(world.anna)
    client.post(reverse("accounts:delete"), {"password": "not-the-password"})
    client.post(reverse("accounts:delete"), {"password": PASSWORD})
    assert not User.objects.filter(pk=world.anna.pk).exists()
    if apps.is_installed("axes"):
        attempts = apps.get_model("axes", "AccessAttempt").objects
        assert not attempts.filter(username="anna@example.org").exists()
