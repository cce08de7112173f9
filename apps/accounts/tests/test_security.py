"""Security headers on the site's pages, production settings that `check --deploy` finds clean,
and a password reset that does not tell who has an account."""

import json
import os
import re
import secrets
import subprocess
import sys
import textwrap

import pytest
from django.conf import settings
from django.core import mail
from django.urls import reverse

from tests.factories import ProjectFactory, UserFactory

pytestmark = pytest.mark.django_db

PAGES = [
    "/",
    "/projekte/",
    "/en/projekte/",
    "/konto/login/",
    "/konto/signup/",
    "/konto/password/reset/",
    "/gibt-es-nicht/",
]


def csp_directives(response) -> dict[str, list[str]]:
    header = response.headers["Content-Security-Policy"]
    directives = {}
    for part in header.split(";"):
        name, *values = part.split()
        directives[name] = values
    return directives


@pytest.mark.parametrize("path", PAGES)
def test_pages_carry_the_security_headers(client, path):
    response = client.get(path)
    assert response.status_code in {200, 404}

    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Cross-Origin-Opener-Policy"] == "same-origin"
    csp = csp_directives(response)
    assert csp["default-src"] == ["'self'"]
    assert csp["frame-ancestors"] == ["'none'"]
    assert csp["object-src"] == ["'none'"]
    assert csp["base-uri"] == ["'self'"]
    assert "'unsafe-inline'" not in csp["script-src"]
    assert "'unsafe-eval'" not in csp["script-src"]
    assert not any(source in {"*", "data:", "http:", "https:"} for source in csp["script-src"])


def test_pages_have_no_inline_scripts_the_policy_would_block(client):
    """With script-src 'self' only, an inline script or event handler would silently not run;
    every script of the site comes from a file."""
    project = ProjectFactory()
    for path in [*PAGES, project.get_absolute_url()]:
        html = client.get(path).content.decode()
        for tag in re.findall(r"<script\b[^>]*>", html):
            # Data for a script (json_script) is not run, and so not blocked.
            assert " src=" in tag or 'type="application/json"' in tag, (path, tag)
        for tag in re.findall(r"<[a-zA-Z][^>]*>", html):
            assert not re.search(r"\son[a-z]+\s*=", tag), (path, tag)
            assert "javascript:" not in tag, (path, tag)


def test_the_session_cookie_is_http_only(client):
    user = UserFactory()
    response = client.post(
        reverse("account_login"), {"login": user.email, "password": "correct-horse-battery"}
    )
    assert response.status_code == 302
    cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie["httponly"]
    assert cookie["samesite"] == "Lax"


def production_env(**extra: str) -> dict[str, str]:
    """A fresh environment as a server would have it: nothing of the test process (its
    DJANGO_DEBUG, or DJANGO_ALLOW_ASYNC_UNSAFE from the browser tests) leaks in."""
    env = {key: os.environ[key] for key in ("PATH", "HOME", "LANG", "TMPDIR") if key in os.environ}
    env.update(
        DJANGO_SECRET_KEY=secrets.token_urlsafe(64),
        DJANGO_SECURE="1",
        DJANGO_ALLOWED_HOSTS="transferhub.example",
        DJANGO_SETTINGS_MODULE="transferhub.settings",
    )
    env.update(extra)
    return env


def run_python(code: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def run_deploy_check(env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_is_clean_with_production_settings():
    result = run_deploy_check(production_env())
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


def test_check_deploy_would_notice_a_missing_production_switch():
    """The check above is not clean by accident: without DJANGO_SECURE it reports HSTS,
    HTTPS redirect and cookies."""
    result = run_deploy_check(production_env(DJANGO_SECURE="0"))
    assert result.returncode != 0
    output = result.stdout + result.stderr
    for check in ["security.W004", "security.W008", "security.W012", "security.W016"]:
        assert check in output


def test_production_settings_send_hsts_redirect_to_https_and_use_secure_cookies():
    result = run_python(
        """
        import json
        import django
        from django.conf import settings
        from django.http import HttpResponse
        from django.test import RequestFactory
        from django.middleware.security import SecurityMiddleware

        django.setup()
        middleware = SecurityMiddleware(lambda request: HttpResponse("ok"))
        factory = RequestFactory(headers={"host": "transferhub.example"})
        plain = middleware(factory.get("/projekte/"))
        secure = middleware(factory.get("/projekte/", secure=True))
        proxied = middleware(factory.get("/projekte/", headers={"x-forwarded-proto": "https"}))
        print(json.dumps({
            "debug": settings.DEBUG,
            "session_cookie_secure": settings.SESSION_COOKIE_SECURE,
            "csrf_cookie_secure": settings.CSRF_COOKIE_SECURE,
            "session_cookie_httponly": settings.SESSION_COOKIE_HTTPONLY,
            "plain": [plain.status_code, plain.get("Location")],
            "secure_hsts": secure.get("Strict-Transport-Security"),
            "proxied": [proxied.status_code, proxied.get("Strict-Transport-Security")],
        }))
        """,
        production_env(),
    )
    assert result.returncode == 0, result.stderr
    found = json.loads(result.stdout.strip().splitlines()[-1])
    assert found["debug"] is False
    assert found["session_cookie_secure"] is True
    assert found["csrf_cookie_secure"] is True
    assert found["session_cookie_httponly"] is True
    assert found["plain"] == [301, "https://transferhub.example/projekte/"]
    hsts = "max-age=31536000; includeSubDomains; preload"
    assert found["secure_hsts"] == hsts
    # Behind the TLS-terminating proxy, which sets X-Forwarded-Proto.
    assert found["proxied"] == [200, hsts]


def test_password_reset_answers_the_same_for_known_and_unknown_addresses(client):
    UserFactory(email="bekannt@example.org")

    def request_reset(email):
        response = client.post(reverse("account_reset_password"), {"email": email}, follow=True)
        html = response.content.decode()
        html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)
        return response.redirect_chain, response.status_code, html

    known = request_reset("bekannt@example.org")
    unknown = request_reset("unbekannt@example.org")

    assert known == unknown
    assert known[1] == 200
    assert "bekannt@example.org" not in known[2]


def test_password_reset_sends_a_link_only_to_a_known_address(client):
    UserFactory(email="bekannt@example.org")
    client.post(reverse("account_reset_password"), {"email": "bekannt@example.org"})
    client.post(reverse("account_reset_password"), {"email": "unbekannt@example.org"})

    links = {
        tuple(message.to): "/konto/password/reset/key/" in message.body for message in mail.outbox
    }
    # The unknown address gets allauth's note that no account uses it (only its owner reads
    # that), never a reset link.
    assert links == {("bekannt@example.org",): True, ("unbekannt@example.org",): False}
