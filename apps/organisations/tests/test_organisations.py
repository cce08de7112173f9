import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from apps.catalog.models import Project
from apps.organisations.models import Invitation, Membership, Organisation
from tests.factories import MembershipFactory, OrganisationFactory, ProjectFactory, UserFactory

from .people import admin_of

pytestmark = pytest.mark.django_db


def test_creating_an_organisation_makes_the_creator_its_admin(client):
    user = UserFactory()
    client.force_login(user)
    response = client.post(
        reverse("organisations:create"), {"name": "Dorfverein Brünen", "kind": "association"}
    )
    organisation = Organisation.objects.get(name="Dorfverein Brünen")
    assert response.url == organisation.get_absolute_url()
    assert organisation.memberships.get().user == user
    assert organisation.memberships.get().role == Membership.Role.ADMIN


def test_organisation_page_lists_its_published_projects(client):
    organisation = OrganisationFactory(name="Repair-Verein")
    ProjectFactory(organisation=organisation, title="Repair-Café")
    ProjectFactory(organisation=organisation, title="Noch geheim", status=Project.Status.PENDING)
    page = client.get(organisation.get_absolute_url()).content.decode()
    assert "Repair-Café" in page
    assert "Noch geheim" not in page


def test_members_also_see_their_pending_projects(client):
    organisation = OrganisationFactory()
    ProjectFactory(organisation=organisation, title="Noch geheim", status=Project.Status.PENDING)
    client.force_login(MembershipFactory(organisation=organisation).user)
    assert "Noch geheim" in client.get(organisation.get_absolute_url()).content.decode()


def test_organisation_page_costs_the_same_queries_for_many_projects(client):
    client.force_login(UserFactory())  # logged in: no page cache, the real rendering cost
    organisation = OrganisationFactory()
    ProjectFactory(organisation=organisation)
    with CaptureQueriesContext(connection) as one_project:
        client.get(organisation.get_absolute_url())
    ProjectFactory.create_batch(15, organisation=organisation)
    MembershipFactory.create_batch(5, organisation=organisation)
    with CaptureQueriesContext(connection) as many_projects:
        client.get(organisation.get_absolute_url())
    assert len(many_projects) == len(one_project) <= 12


def test_an_admin_invites_a_member_by_email(client):
    organisation = OrganisationFactory(name="Tafel Nord")
    client.force_login(admin_of(organisation))
    client.post(
        reverse("organisations:invite", args=[organisation.slug]),
        {"email": "neu@example.org", "role": "member"},
    )
    invitation = Invitation.objects.get()
    assert mail.outbox[0].to == ["neu@example.org"]
    assert str(invitation.token) in mail.outbox[0].body


def test_the_invited_person_accepts_and_becomes_a_member(client):
    organisation = OrganisationFactory()
    invited = UserFactory(email="neu@example.org")
    invitation = Invitation.objects.create(organisation=organisation, email="neu@example.org")
    client.force_login(invited)
    client.post(invitation.get_absolute_url())
    assert organisation.memberships.filter(user=invited, role=Membership.Role.MEMBER).exists()


def test_an_invitation_cannot_be_used_by_someone_else(client):
    organisation = OrganisationFactory()
    invitation = Invitation.objects.create(organisation=organisation, email="neu@example.org")
    client.force_login(UserFactory(email="fremd@example.org"))
    client.post(invitation.get_absolute_url())
    assert not organisation.memberships.exists()


def test_inviting_an_existing_member_is_refused_with_a_message(client):
    organisation = OrganisationFactory()
    client.force_login(admin_of(organisation))
    member = MembershipFactory(organisation=organisation).user
    response = client.post(
        reverse("organisations:invite", args=[organisation.slug]),
        {"email": member.email, "role": "member"},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["email"]
    assert not Invitation.objects.exists()


@pytest.mark.parametrize("role", [None, Membership.Role.MEMBER])
def test_only_admins_invite_and_edit(client, role):
    organisation = OrganisationFactory(name="Original")
    user = MembershipFactory(organisation=organisation, role=role).user if role else UserFactory()
    client.force_login(user)
    assert (
        client.post(
            reverse("organisations:invite", args=[organisation.slug]),
            {"email": "x@example.org", "role": "admin"},
        ).status_code
        == 403
    )
    assert (
        client.post(
            reverse("organisations:update", args=[organisation.slug]),
            {"name": "Gekapert", "kind": "other"},
        ).status_code
        == 403
    )
    organisation.refresh_from_db()
    assert organisation.name == "Original"
    assert not Invitation.objects.exists()


def test_invalid_organisation_form_changes_nothing(client):
    organisation = OrganisationFactory(name="Original")
    client.force_login(admin_of(organisation))
    response = client.post(
        reverse("organisations:update", args=[organisation.slug]),
        {"name": "", "kind": "nonsense", "website": "kein link"},
    )
    assert set(response.context["form"].errors) >= {"name", "kind", "website"}
    organisation.refresh_from_db()
    assert organisation.name == "Original"


def test_anonymous_visitors_must_log_in_to_create(client):
    response = client.get(reverse("organisations:create"))
    assert response.status_code == 302
    assert "login" in response.url


def test_an_organisation_named_like_a_page_does_not_hide_that_page(client):
    client.force_login(UserFactory())
    client.post(reverse("organisations:create"), {"name": "Neu", "kind": "initiative"})
    organisation = Organisation.objects.get(name="Neu")
    assert organisation.slug == "neu-2"
    assert client.get(reverse("organisations:create")).status_code == 200
