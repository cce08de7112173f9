"""Who may open which organisation page and send which form: every view, every role."""

import pytest
from django.urls import reverse

from apps.organisations.models import Membership, MembershipRequest
from tests.factories import (
    MembershipFactory,
    MembershipRequestFactory,
    OrganisationFactory,
    UserFactory,
    moderator,
)

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "other user", "member", "org admin", "moderator"]
LOGIN = "login"  # redirected to the login page
DONE = "done"  # redirected back after the change

# view, method, expected outcome for each role in ROLES
EXPECTED = [
    ("detail", "get", [200, 200, 200, 200, 200]),
    ("contact", "get", [200, 200, 200, 200, 200]),
    ("members", "get", [LOGIN, 403, 200, 200, 200]),
    ("invite", "get", [LOGIN, 403, 403, 200, 403]),
    ("update", "get", [LOGIN, 403, 403, 200, 200]),
    ("membership_request", "get", [LOGIN, 200, 403, 403, 200]),
    ("membership_request_approve", "post", [LOGIN, 403, 403, DONE, 403]),
    ("membership_request_decline", "post", [LOGIN, 403, 403, DONE, 403]),
    ("membership_change_role", "post", [LOGIN, 403, 403, DONE, 403]),
    ("membership_remove", "post", [LOGIN, 403, 403, DONE, 403]),
    ("follow", "post", [LOGIN, DONE, DONE, DONE, DONE]),
    ("unfollow", "post", [LOGIN, DONE, DONE, DONE, DONE]),
]
CASES = [
    pytest.param(view, method, role, outcome, id=f"{view}-{role}")
    for view, method, outcomes in EXPECTED
    for role, outcome in zip(ROLES, outcomes, strict=True)
]


def person(role: str, organisation):
    if role == "anonymous":
        return None
    if role == "moderator":
        return moderator()
    if role == "other user":
        return UserFactory()
    membership_role = Membership.Role.ADMIN if role == "org admin" else Membership.Role.MEMBER
    return MembershipFactory(organisation=organisation, role=membership_role).user


def url_of(view: str, organisation) -> str:
    args = [organisation.slug]
    if view.startswith("membership_request_"):
        args.append(MembershipRequestFactory(organisation=organisation).pk)
    elif view in {"membership_change_role", "membership_remove"}:
        args.append(MembershipFactory(organisation=organisation).pk)
    return reverse(f"organisations:{view}", args=args)


@pytest.mark.parametrize(("view", "method", "role", "expected"), CASES)
def test_who_may_use_which_organisation_page(client, view, method, role, expected):
    organisation = OrganisationFactory()
    MembershipFactory(organisation=organisation, role=Membership.Role.ADMIN)  # never the last
    user = person(role, organisation)
    if user is not None:
        client.force_login(user)
    url = url_of(view, organisation)
    response = getattr(client, method)(url, {"role": "admin"} if method == "post" else {})
    if expected == LOGIN:
        assert response.status_code == 302
        assert response.url.startswith(reverse("account_login"))
    elif expected == DONE:
        assert response.status_code == 302
        assert not response.url.startswith(reverse("account_login"))
    else:
        assert response.status_code == expected


@pytest.mark.parametrize("role", ["anonymous", "other user", "member", "moderator"])
def test_a_refused_decision_leaves_the_request_waiting(client, role):
    organisation = OrganisationFactory()
    user = person(role, organisation)
    if user is not None:
        client.force_login(user)
    membership_request = MembershipRequestFactory(organisation=organisation)
    client.post(
        reverse(
            "organisations:membership_request_approve",
            args=[organisation.slug, membership_request.pk],
        )
    )
    membership_request.refresh_from_db()
    assert membership_request.status == MembershipRequest.Status.PENDING
    assert not organisation.memberships.filter(user=membership_request.user).exists()
