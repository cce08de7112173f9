import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from apps.organisations import services
from apps.organisations.models import Membership
from tests.factories import MembershipFactory, OrganisationFactory, UserFactory, moderator

from .people import admin_of, english, member_of, messages_of

pytestmark = pytest.mark.django_db


def members_page(organisation) -> str:
    return english(reverse("organisations:members", args=[organisation.slug]))


def change_role(client, membership, role: str):
    return client.post(
        english(
            reverse(
                "organisations:membership_change_role",
                args=[membership.organisation.slug, membership.pk],
            )
        ),
        {"role": role},
    )


def remove(client, membership):
    return client.post(
        english(
            reverse(
                "organisations:membership_remove",
                args=[membership.organisation.slug, membership.pk],
            )
        )
    )


@pytest.fixture
def organisation():
    organisation = OrganisationFactory()
    MembershipFactory(
        organisation=organisation,
        user=UserFactory(display_name="Anna Admin", email="anna@example.org"),
        role=Membership.Role.ADMIN,
    )
    MembershipFactory(
        organisation=organisation,
        user=UserFactory(display_name="Max Mitglied", email="max@example.org"),
    )
    return organisation


def test_members_see_names_and_roles_but_no_email_addresses(client, organisation):
    client.force_login(member_of(organisation))
    page = client.get(members_page(organisation)).content.decode()
    assert "Anna Admin" in page
    assert "Administrator" in page
    assert "Max Mitglied" in page
    assert "anna@example.org" not in page
    assert "Change role" not in page


def test_moderators_see_names_and_roles_but_no_email_addresses(client, organisation):
    client.force_login(moderator())
    page = client.get(members_page(organisation)).content.decode()
    assert "Max Mitglied" in page
    assert "max@example.org" not in page
    assert "Membership requests" not in page


def test_admins_also_see_email_addresses_requests_and_their_tools(client, organisation):
    client.force_login(organisation.memberships.get(role="admin").user)
    page = client.get(members_page(organisation)).content.decode()
    assert "max@example.org" in page
    assert "Membership requests" in page
    assert "Change role" in page
    assert "Remove Max Mitglied" in page


def test_the_public_page_shows_only_the_number_of_members(client, organisation):
    page = client.get(english(organisation.get_absolute_url())).content.decode()
    assert "2 members" in page
    assert "Max Mitglied" not in page
    assert "Anna Admin" not in page


def test_a_new_member_is_counted_at_once_on_the_cached_public_page(
    client, organisation, django_capture_on_commit_callbacks
):
    url = english(organisation.get_absolute_url())
    assert "2 members" in client.get(url).content.decode()
    membership_request = services.membership_request_create(
        organisation=organisation, user=UserFactory()
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.membership_request_approve(
            membership_request=membership_request,
            decided_by=organisation.memberships.get(role="admin").user,
        )
    assert "3 members" in client.get(url).content.decode()


def test_an_admin_makes_a_member_an_administrator(client, organisation):
    client.force_login(organisation.memberships.get(role="admin").user)
    membership = organisation.memberships.get(user__email="max@example.org")
    response = change_role(client, membership, "admin")
    assert messages_of(response) == ["Max Mitglied is now Administrator."]
    membership.refresh_from_db()
    assert membership.role == Membership.Role.ADMIN


def test_an_admin_removes_a_member(client, organisation):
    client.force_login(organisation.memberships.get(role="admin").user)
    response = remove(client, organisation.memberships.get(user__email="max@example.org"))
    assert response.url == members_page(organisation)
    assert messages_of(response) == ["Max Mitglied is no longer a member."]
    assert not organisation.memberships.filter(user__email="max@example.org").exists()


def test_the_last_admin_cannot_step_down(client, organisation):
    admin_membership = organisation.memberships.get(role="admin")
    client.force_login(admin_membership.user)
    response = change_role(client, admin_membership, "member")
    assert "at least one administrator" in messages_of(response)[0]
    admin_membership.refresh_from_db()
    assert admin_membership.role == Membership.Role.ADMIN


def test_the_last_admin_cannot_be_removed(client, organisation):
    admin_membership = organisation.memberships.get(role="admin")
    client.force_login(admin_membership.user)
    response = remove(client, admin_membership)
    assert "at least one administrator" in messages_of(response)[0]
    assert organisation.memberships.filter(pk=admin_membership.pk).exists()


def test_an_admin_may_step_down_once_there_is_another_admin(organisation):
    first = organisation.memberships.get(role="admin")
    admin_of(organisation)
    services.membership_change_role(membership=first, role=Membership.Role.MEMBER)
    first.refresh_from_db()
    assert first.role == Membership.Role.MEMBER
    with pytest.raises(ValidationError, match="mindestens eine Person mit der Rolle Admin"):
        services.membership_remove(membership=organisation.memberships.get(role="admin"))


def test_an_unknown_role_is_refused(organisation):
    membership = organisation.memberships.get(user__email="max@example.org")
    with pytest.raises(ValidationError):
        services.membership_change_role(membership=membership, role="owner")


def test_admins_cannot_change_members_of_another_organisation(client, organisation):
    client.force_login(admin_of(OrganisationFactory()))
    membership = organisation.memberships.get(user__email="max@example.org")
    assert remove(client, membership).status_code == 403
    own = OrganisationFactory()
    client.force_login(admin_of(own))
    url = reverse("organisations:membership_remove", args=[own.slug, membership.pk])
    assert client.post(url).status_code == 404
    assert organisation.memberships.filter(pk=membership.pk).exists()
