import pytest
from django.core import mail
from django.urls import reverse
from django.utils import translation

from apps.catalog.models import Project
from apps.catalog.services import project_approve
from apps.organisations import services
from apps.organisations.models import Follow
from tests.factories import (
    FollowFactory,
    OrganisationFactory,
    ProjectFactory,
    UserFactory,
    moderator,
)

from .people import english, messages_of

pytestmark = pytest.mark.django_db


def test_followers_get_an_email_with_the_link_when_a_project_is_approved(settings):
    settings.SITE_URL = "https://transferhub.example"
    organisation = OrganisationFactory(name="Tafel Nord")
    follower = FollowFactory(organisation=organisation).user
    FollowFactory()  # follows another organisation
    UserFactory()  # follows nobody
    project = ProjectFactory(
        organisation=organisation,
        title="Mittagstisch",
        status=Project.Status.PENDING,
        published_at=None,
    )
    project_approve(project=project, moderator=moderator())
    [sent] = mail.outbox
    assert sent.to == [follower.email]
    assert "Tafel Nord" in sent.subject
    assert "Mittagstisch" in sent.subject
    assert f"https://transferhub.example{project.get_absolute_url()}" in sent.body
    assert f"https://transferhub.example{organisation.get_absolute_url()}" in sent.body


def test_each_follower_gets_an_own_email_and_the_acting_person_none():
    organisation = OrganisationFactory()
    followers = [FollowFactory(organisation=organisation).user for _ in range(3)]
    sent = services.followers_notify(
        organisation=organisation,
        kind="offer",
        title="Lastenrad zu verleihen",
        url="/angebote/lastenrad/",
        acting_user=followers[0],
    )
    assert sent == 2
    assert sorted(message.to[0] for message in mail.outbox) == sorted(
        follower.email for follower in followers[1:]
    )


def test_a_project_approved_again_after_a_rejection_is_not_announced_again():
    organisation = OrganisationFactory()
    FollowFactory(organisation=organisation)
    project = ProjectFactory(organisation=organisation, status=Project.Status.REJECTED)
    project_approve(project=project, moderator=moderator())
    assert mail.outbox == []


@pytest.mark.parametrize(
    ("kind", "words"),
    [
        ("project", "ein neues Projekt"),
        ("offer", "ein neues Angebot"),
        ("event", "eine neue Veranstaltung"),
    ],
)
def test_the_email_names_what_was_published_in_german_whoever_triggered_it(kind, words):
    organisation = OrganisationFactory(name="Tafel Nord")
    FollowFactory(organisation=organisation)
    with translation.override("en"):
        services.followers_notify(
            organisation=organisation, kind=kind, title="Neu", url="https://example.org/neu/"
        )
    assert words in mail.outbox[0].subject
    assert "https://example.org/neu/" in mail.outbox[0].body


def test_an_unknown_kind_is_a_programming_error():
    with pytest.raises(ValueError, match="kind"):
        services.followers_notify(
            organisation=OrganisationFactory(), kind="news", title="x", url="/x/"
        )


def test_a_logged_in_visitor_follows_and_unfollows_on_the_organisation_page(client):
    organisation = OrganisationFactory(name="Tafel Nord")
    person = UserFactory()
    client.force_login(person)
    page_url = english(organisation.get_absolute_url())
    assert "0 followers" in client.get(page_url).content.decode()
    response = client.post(english(reverse("organisations:follow", args=[organisation.slug])))
    assert response.url == page_url
    assert "You follow Tafel Nord" in messages_of(response)[0]
    page = client.get(page_url).content.decode()
    assert "1 follower" in page
    assert "Unfollow" in page
    client.post(english(reverse("organisations:unfollow", args=[organisation.slug])))
    assert not Follow.objects.filter(user=person).exists()
    assert "0 followers" in client.get(page_url).content.decode()


def test_following_twice_keeps_one_follow():
    organisation = OrganisationFactory()
    person = UserFactory()
    services.organisation_follow(organisation=organisation, user=person)
    services.organisation_follow(organisation=organisation, user=person)
    assert Follow.objects.filter(organisation=organisation, user=person).count() == 1


def test_anonymous_visitors_are_offered_a_login_link_to_follow(client):
    organisation = OrganisationFactory()
    page = client.get(english(organisation.get_absolute_url())).content.decode()
    assert "Log in to follow" in page
    assert ">Follow</button>" not in page
    response = client.post(reverse("organisations:follow", args=[organisation.slug]))
    assert "login" in response.url
    assert not Follow.objects.exists()
