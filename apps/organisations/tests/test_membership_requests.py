import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.urls import reverse

from apps.organisations import services
from apps.organisations.models import Membership, MembershipRequest
from tests.factories import (
    MembershipRequestFactory,
    OrganisationFactory,
    UserFactory,
)

from .people import admin_of, english, member_of, messages_of

pytestmark = pytest.mark.django_db

TERMS = "Mitglieder zahlen **24 € im Jahr**."


def request_page(organisation) -> str:
    return english(reverse("organisations:membership_request", args=[organisation.slug]))


def members_page(organisation) -> str:
    return english(reverse("organisations:members", args=[organisation.slug]))


def test_a_logged_in_visitor_is_offered_to_become_a_member(client):
    organisation = OrganisationFactory()
    client.force_login(UserFactory())
    page = client.get(english(organisation.get_absolute_url())).content.decode()
    assert "Become a member" in page
    assert reverse("organisations:membership_request", args=[organisation.slug]) in page


def test_members_are_not_offered_to_become_members_again(client):
    organisation = OrganisationFactory()
    client.force_login(member_of(organisation))
    assert (
        "Become a member"
        not in client.get(english(organisation.get_absolute_url())).content.decode()
    )


def test_the_request_page_shows_the_terms_rendered_from_markdown(client):
    organisation = OrganisationFactory(membership_terms=TERMS)
    client.force_login(UserFactory())
    page = client.get(request_page(organisation)).content.decode()
    assert "<strong>24 € im Jahr</strong>" in page
    assert "I accept the membership terms" in page


def test_a_request_with_accepted_terms_reaches_the_admins_with_a_link_to_decide(client):
    organisation = OrganisationFactory(name="Tafel Nord", membership_terms=TERMS)
    admin = admin_of(organisation)
    member_of(organisation)
    person = UserFactory(display_name="Ina Berg")
    client.force_login(person)
    response = client.post(
        request_page(organisation), {"message": "Ich helfe gern.", "terms_accepted": "on"}
    )
    assert response.url == english(organisation.get_absolute_url())
    membership_request = MembershipRequest.objects.get()
    assert membership_request.user == person
    assert membership_request.accepted_terms == TERMS
    assert [message.to for message in mail.outbox] == [[admin.email]]
    assert "Ina Berg" in mail.outbox[0].subject
    assert "Ich helfe gern." in mail.outbox[0].body
    assert "/organisationen/" + organisation.slug + "/mitglieder/#membership-requests" in (
        mail.outbox[0].body
    )
    assert "You will get an e-mail" in messages_of(response)[0]


def test_without_accepting_the_terms_no_request_is_sent(client):
    organisation = OrganisationFactory(membership_terms=TERMS)
    admin_of(organisation)
    client.force_login(UserFactory())
    response = client.post(request_page(organisation), {"message": "Hallo"})
    assert response.status_code == 200
    assert response.context["form"].errors["terms_accepted"]
    assert not MembershipRequest.objects.exists()
    assert not mail.outbox


def test_without_terms_there_is_nothing_to_accept(client):
    organisation = OrganisationFactory(membership_terms="")
    client.force_login(UserFactory())
    assert "I accept" not in client.get(request_page(organisation)).content.decode()
    client.post(request_page(organisation), {"message": ""})
    assert MembershipRequest.objects.filter(organisation=organisation).exists()


def test_an_approved_person_appears_in_the_member_list_and_is_told_by_email(client):
    organisation = OrganisationFactory(name="Tafel Nord")
    admin = admin_of(organisation)
    person = UserFactory(display_name="Ina Berg")
    membership_request = MembershipRequestFactory(organisation=organisation, user=person)
    client.force_login(admin)
    response = client.post(
        english(
            reverse(
                "organisations:membership_request_approve",
                args=[organisation.slug, membership_request.pk],
            )
        )
    )
    assert response.url == members_page(organisation)
    assert messages_of(response) == ["Ina Berg is now a member."]
    membership = organisation.memberships.get(user=person)
    assert membership.role == Membership.Role.MEMBER
    membership_request.refresh_from_db()
    assert membership_request.status == MembershipRequest.Status.APPROVED
    assert membership_request.decided_by == admin
    assert mail.outbox[-1].to == [person.email]
    assert "Tafel Nord" in mail.outbox[-1].subject
    client.force_login(person)
    assert "Ina Berg" in client.get(members_page(organisation)).content.decode()


def test_a_declined_person_gets_the_reason_by_email(client):
    organisation = OrganisationFactory()
    person = UserFactory()
    membership_request = MembershipRequestFactory(organisation=organisation, user=person)
    client.force_login(admin_of(organisation))
    client.post(
        reverse(
            "organisations:membership_request_decline",
            args=[organisation.slug, membership_request.pk],
        ),
        {"reason": "Wir nehmen nur Menschen aus dem Ort auf."},
    )
    membership_request.refresh_from_db()
    assert membership_request.status == MembershipRequest.Status.DECLINED
    assert not organisation.memberships.filter(user=person).exists()
    assert mail.outbox[-1].to == [person.email]
    assert "Wir nehmen nur Menschen aus dem Ort auf." in mail.outbox[-1].body


def test_a_second_request_while_the_first_is_waiting_is_refused(client):
    organisation = OrganisationFactory()
    person = UserFactory()
    MembershipRequestFactory(organisation=organisation, user=person)
    with pytest.raises(ValidationError, match="bereits einen Mitgliedsantrag gestellt"):
        services.membership_request_create(organisation=organisation, user=person)
    client.force_login(person)
    assert "have not decided yet" in client.get(request_page(organisation)).content.decode()


def test_after_a_decline_one_may_ask_again():
    organisation = OrganisationFactory()
    person = UserFactory()
    MembershipRequestFactory(
        organisation=organisation, user=person, status=MembershipRequest.Status.DECLINED
    )
    services.membership_request_create(organisation=organisation, user=person)
    assert organisation.membership_requests.filter(status="pending").count() == 1


def test_the_database_holds_at_most_one_waiting_request_per_person():
    membership_request = MembershipRequestFactory()
    with pytest.raises(IntegrityError):
        MembershipRequestFactory(
            organisation=membership_request.organisation, user=membership_request.user
        )


def test_members_cannot_ask_to_join():
    organisation = OrganisationFactory()
    with pytest.raises(ValidationError, match="bereits Mitglied"):
        services.membership_request_create(organisation=organisation, user=member_of(organisation))


def test_an_organisation_that_does_not_accept_members_refuses_requests(client):
    organisation = OrganisationFactory(accepts_members=False)
    person = UserFactory()
    with pytest.raises(ValidationError, match="nimmt keine Mitgliedsanträge an"):
        services.membership_request_create(organisation=organisation, user=person)
    client.force_login(person)
    page = client.get(english(organisation.get_absolute_url())).content.decode()
    assert "Become a member" not in page
    response = client.post(request_page(organisation), {"message": "Bitte"})
    assert "does not accept membership requests" in response.content.decode()
    assert not MembershipRequest.objects.exists()


def test_a_request_message_longer_than_2000_characters_is_refused(client):
    organisation = OrganisationFactory()
    client.force_login(UserFactory())
    response = client.post(request_page(organisation), {"message": "x" * 2001})
    assert response.context["form"].errors["message"]
    assert not MembershipRequest.objects.exists()


def test_a_decided_request_cannot_be_decided_again(client):
    organisation = OrganisationFactory()
    admin = admin_of(organisation)
    membership_request = MembershipRequestFactory(organisation=organisation)
    services.membership_request_decline(membership_request=membership_request, decided_by=admin)
    client.force_login(admin)
    response = client.post(
        english(
            reverse(
                "organisations:membership_request_approve",
                args=[organisation.slug, membership_request.pk],
            )
        )
    )
    assert messages_of(response) == ["This request has already been decided."]
    assert not organisation.memberships.filter(user=membership_request.user).exists()


def test_admins_see_waiting_requests_with_the_message_on_the_member_list(client):
    organisation = OrganisationFactory()
    MembershipRequestFactory(
        organisation=organisation,
        user=UserFactory(display_name="Ina Berg"),
        message="Ich backe Kuchen.",
    )
    client.force_login(admin_of(organisation))
    page = client.get(members_page(organisation)).content.decode()
    assert "Ich backe Kuchen." in page
    assert "Approve Ina Berg" in page
    assert "Decline Ina Berg" in page


def test_admins_write_membership_terms_and_may_stop_accepting_members(client):
    organisation = OrganisationFactory(name="Tafel Nord")
    client.force_login(admin_of(organisation))
    url = reverse("organisations:update", args=[organisation.slug])
    data = {"name": "Tafel Nord", "kind": "association", "membership_terms": TERMS}
    client.post(url, {**data, "accepts_members": "on"})
    organisation.refresh_from_db()
    assert organisation.membership_terms == TERMS
    assert organisation.accepts_members
    client.post(url, data)
    organisation.refresh_from_db()
    assert not organisation.accepts_members
