"""Login throttling (django-axes): the 6th login after 5 failures within 15 minutes, from one
address or for one account, is refused with a 429 page, even with the right password."""

import datetime

import pytest
from axes.models import AccessAttempt
from django.urls import reverse
from django.utils import translation

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "correct-horse-battery"


def attempt(client, email, password="wrong-password", ip="203.0.113.7", **extra):
    return client.post(
        reverse("account_login"),
        {"login": email, "password": password},
        REMOTE_ADDR=ip,
        **extra,
    )


def logged_in(client) -> bool:
    return "_auth_user_id" in client.session


def fail_five_times(client, emails, ips):
    responses = [attempt(client, email, ip=ip) for email, ip in zip(emails, ips, strict=True)]
    assert not logged_in(client)
    return responses


def test_four_failures_leave_the_right_password_working(client):
    user = UserFactory()
    responses = fail_five_times(client, [user.email] * 4 + ["other@example.org"], ["1.1.1.1"] * 5)
    assert [response.status_code for response in responses[:4]] == [200] * 4
    assert attempt(client, user.email, PASSWORD, ip="2.2.2.2").status_code == 302
    assert logged_in(client)


def test_the_fifth_failure_already_shows_the_lockout_page(client):
    user = UserFactory()
    responses = fail_five_times(client, [user.email] * 5, ["198.51.100.1"] * 5)
    assert [response.status_code for response in responses] == [200, 200, 200, 200, 429]


def test_after_five_failures_for_one_account_the_right_password_is_refused_from_anywhere(client):
    user = UserFactory()
    fail_five_times(client, [user.email] * 5, [f"198.51.100.{n}" for n in range(1, 6)])

    response = attempt(client, user.email, PASSWORD, ip="192.0.2.99")

    assert response.status_code == 429
    assert not logged_in(client)
    # The address was not the problem: another account logs in from it.
    other = UserFactory()
    assert attempt(client, other.email, PASSWORD, ip="192.0.2.99").status_code == 302


def test_after_five_failures_from_one_address_every_account_is_refused_from_it(client):
    victims = UserFactory.create_batch(5)
    fail_five_times(client, [victim.email for victim in victims], ["203.0.113.7"] * 5)
    user = UserFactory()

    response = attempt(client, user.email, PASSWORD, ip="203.0.113.7")

    assert response.status_code == 429
    assert not logged_in(client)
    assert attempt(client, user.email, PASSWORD, ip="203.0.113.8").status_code == 302


def test_failures_for_unknown_addresses_count_too(client):
    fail_five_times(client, [f"niemand{n}@example.org" for n in range(5)], ["203.0.113.7"] * 5)
    user = UserFactory()
    assert attempt(client, user.email, PASSWORD, ip="203.0.113.7").status_code == 429


def test_upper_case_and_spaces_do_not_make_a_fresh_account_count(client):
    user = UserFactory(email="person@example.org")
    spellings = ["PERSON@example.org", " person@example.org ", "Person@Example.org"] * 2
    fail_five_times(client, spellings[:5], [f"198.51.100.{n}" for n in range(1, 6)])
    assert attempt(client, user.email, PASSWORD, ip="192.0.2.1").status_code == 429


def test_a_successful_login_does_not_reset_the_count_of_the_address(client):
    """Otherwise someone with an account of their own could guess others' passwords without
    end, logging in to their own account after every four guesses."""
    victims = UserFactory.create_batch(5)
    own = UserFactory()
    fail_five_times(client, [victim.email for victim in victims[:4]], ["203.0.113.7"] * 4)
    assert attempt(client, own.email, PASSWORD, ip="203.0.113.7").status_code == 302
    client.logout()
    assert attempt(client, victims[4].email, ip="203.0.113.7").status_code == 429
    assert attempt(client, own.email, PASSWORD, ip="203.0.113.7").status_code == 429


def test_the_lockout_ends_15_minutes_after_the_last_failure(client):
    user = UserFactory()
    fail_five_times(client, [user.email] * 5, ["203.0.113.7"] * 5)
    assert attempt(client, user.email, PASSWORD).status_code == 429

    AccessAttempt.objects.update(
        attempt_time=datetime.datetime.now(tz=datetime.UTC) - datetime.timedelta(minutes=14)
    )
    assert attempt(client, user.email, PASSWORD).status_code == 429
    AccessAttempt.objects.update(
        attempt_time=datetime.datetime.now(tz=datetime.UTC) - datetime.timedelta(minutes=16)
    )
    assert attempt(client, user.email, PASSWORD).status_code == 302
    assert logged_in(client)


def test_attempts_during_the_lockout_do_not_prolong_it(client):
    user = UserFactory()
    fail_five_times(client, [user.email] * 5, ["203.0.113.7"] * 5)
    for _ in range(3):
        assert attempt(client, user.email).status_code == 429
    assert AccessAttempt.objects.get().failures_since_start == 5


def test_the_lockout_page_is_a_page_of_the_site_that_says_how_long_to_wait(client):
    user = UserFactory()
    fail_five_times(client, [user.email] * 5, ["203.0.113.7"] * 5)
    with translation.override("en"):
        url = reverse("account_login")
        reset_url = reverse("account_reset_password")
    assert url.startswith("/en/")

    response = client.post(
        url, {"login": user.email, "password": PASSWORD}, REMOTE_ADDR="203.0.113.7"
    )

    assert response.status_code == 429
    assert response["Retry-After"] == str(15 * 60)
    assert {"axes/lockout.html", "base.html"} <= {template.name for template in response.templates}
    html = response.content.decode()
    assert '<html lang="en">' in html
    assert "Too many failed logins" in html
    assert "even with the right password" in html
    assert "Please try again in 15 minutes." in html
    assert f'href="{reset_url}"' in html
    # The page tells nothing about the account: the same for an address nobody has.
    assert user.email not in html
    assert "Content-Security-Policy" in response.headers


def test_the_german_lockout_page_is_in_the_german_layout(client):
    user = UserFactory()
    fail_five_times(client, [user.email] * 5, ["203.0.113.7"] * 5)
    response = attempt(client, user.email, PASSWORD)
    assert response.status_code == 429
    assert '<html lang="de">' in response.content.decode()


def test_behind_a_proxy_each_visitor_counts_by_their_own_address(client, settings):
    settings.RATE_LIMIT_TRUSTED_PROXIES = 1

    def via_proxy(email, forwarded_for, password="wrong-password"):
        return attempt(client, email, password, ip="10.0.0.1", HTTP_X_FORWARDED_FOR=forwarded_for)

    for victim in UserFactory.create_batch(5):
        via_proxy(victim.email, "203.0.113.7")
    user = UserFactory()

    # The attacker's address is locked, the proxy (and everyone else behind it) is not.
    assert via_proxy(user.email, "203.0.113.7", PASSWORD).status_code == 429
    assert via_proxy(user.email, "192.0.2.44", PASSWORD).status_code == 302
    client.logout()
    # Entries a client puts into X-Forwarded-For itself, in front of the proxy's, do not help.
    assert via_proxy(user.email, "192.0.2.1, 203.0.113.7", PASSWORD).status_code == 429


def test_a_forwarded_address_that_is_no_address_does_not_break_the_login(client, settings):
    settings.RATE_LIMIT_TRUSTED_PROXIES = 1
    user = UserFactory()
    response = attempt(client, user.email, ip="10.0.0.1", HTTP_X_FORWARDED_FOR="<script>")
    assert response.status_code == 200
    assert AccessAttempt.objects.get().ip_address == "10.0.0.1"


def test_without_trusted_proxies_forwarded_headers_are_ignored(client):
    victims = UserFactory.create_batch(5)
    for n, victim in enumerate(victims):
        attempt(client, victim.email, ip="203.0.113.7", HTTP_X_FORWARDED_FOR=f"192.0.2.{n}")
    user = UserFactory()
    assert attempt(client, user.email, PASSWORD, ip="203.0.113.7").status_code == 429


def test_the_admin_login_is_throttled_too(client):
    user = UserFactory(is_staff=True, is_superuser=True)
    url = reverse("admin:login")
    for _ in range(5):
        client.post(url, {"username": user.email, "password": "wrong"}, REMOTE_ADDR="203.0.113.7")
    response = client.post(
        url, {"username": user.email, "password": PASSWORD}, REMOTE_ADDR="192.0.2.5"
    )
    assert response.status_code == 429
    assert not logged_in(client)


def test_force_login_and_the_test_client_login_still_work(client):
    user = UserFactory()
    assert client.login(email=user.email, password=PASSWORD)
    client.logout()
    client.force_login(user)
    assert logged_in(client)
    assert not AccessAttempt.objects.exists()
