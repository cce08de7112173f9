import re

import pytest
from django.core import mail
from django.urls import reverse

from apps.accounts.apps import grant_moderator_permissions
from apps.accounts.models import User
from tests.factories import UserFactory, moderator

pytestmark = pytest.mark.django_db


def test_registration_sends_a_verification_link_and_login_waits_for_it(client):
    response = client.post(
        reverse("account_signup"),
        {
            "email": "neu@example.org",
            "password1": "ein-gutes-Passwort-2026",
            "password2": "ein-gutes-Passwort-2026",
        },
    )
    assert response.status_code == 302
    assert mail.outbox[-1].to == ["neu@example.org"]
    link = re.search(r"http://\S+/konto/confirm-email/\S+", mail.outbox[-1].body).group(0)
    client.logout()
    client.post(
        reverse("account_login"),
        {"login": "neu@example.org", "password": "ein-gutes-Passwort-2026"},
    )
    assert "_auth_user_id" not in client.session
    client.post(link.replace("http://testserver", ""))
    assert User.objects.get(email="neu@example.org").emailaddress_set.get().verified


def test_a_too_simple_password_is_refused_and_nobody_is_created(client):
    response = client.post(
        reverse("account_signup"),
        {"email": "neu@example.org", "password1": "12345678", "password2": "12345678"},
    )
    assert response.status_code == 200
    assert not User.objects.filter(email="neu@example.org").exists()


def test_password_reset_does_not_reveal_whether_an_address_exists(client):
    UserFactory(email="bekannt@example.org")
    known = client.post(reverse("account_reset_password"), {"email": "bekannt@example.org"})
    unknown = client.post(reverse("account_reset_password"), {"email": "unbekannt@example.org"})
    assert known.status_code == unknown.status_code == 302
    assert known.url == unknown.url
    assert [message.to for message in mail.outbox] == [
        ["bekannt@example.org"],
        ["unbekannt@example.org"],
    ]
    assert "konto/password/reset/key/" in mail.outbox[0].body
    assert "konto/password/reset/key/" not in mail.outbox[1].body


def test_moderators_may_add_municipalities_in_the_admin(client):
    grant_moderator_permissions(sender=None)
    user = moderator()
    user.is_staff = True
    user.save()
    client.force_login(user)
    response = client.post(
        "/admin/places/municipality/add/",
        {
            "name": "Loikum",
            "slug": "loikum-nw",
            "state": "NW",
            "district": "Kreis Wesel",
            "latitude": "51.75",
            "longitude": "6.52",
            "population": "800",
            "settlement_type": "rural",
            "source": "moderator",
        },
    )
    assert response.status_code == 302


def test_plain_users_have_no_admin_access(client):
    client.force_login(UserFactory())
    assert client.get("/admin/places/municipality/add/").status_code == 302
