"""Login throttling with django-axes (configured in settings, AXES_*): whom a failed login
counts against, and the page a locked-out visitor sees."""

import ipaddress
import math

from axes.backends import AxesStandaloneBackend
from axes.helpers import get_cool_off
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from apps.core.ratelimit import client_ip


class LoginThrottleBackend(AxesStandaloneBackend):
    """Refuses every login, right password or not, while the client or the account is locked.

    authenticate() without a request (the test client's login(), the shell) is no login over
    HTTP: there is no client to count against, so it passes on to the other backends instead
    of failing as axes' own backend does."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username, password, **kwargs)


def login_identifier(request: HttpRequest | None, credentials: dict | None) -> str | None:
    """The account a login attempt is for. allauth authenticates with `email`, the admin with
    `username`, the form field is `login`; case and surrounding spaces make no new account,
    since the login itself ignores them."""
    credentials = credentials or {}
    value = credentials.get("email") or credentials.get("username") or credentials.get("login")
    if not value and request is not None:
        value = request.POST.get("login") or request.POST.get("username")
    if isinstance(value, str) and value.strip():
        return value.strip().lower()
    return None


def client_ip_address(request: HttpRequest) -> str | None:
    """The visitor's address as the rate limits see it (behind RATE_LIMIT_TRUSTED_PROXIES
    proxies, from X-Forwarded-For). Axes stores it in an IP address column, so anything that
    is not an address falls back to the connection's own."""
    for candidate in (client_ip(request), request.META.get("REMOTE_ADDR", "")):
        try:
            return str(ipaddress.ip_address(candidate.strip()))
        except ValueError:
            continue
    return None


def lockout_response(
    request: HttpRequest, original_response: HttpResponse | None = None, credentials=None
) -> HttpResponse:
    """429 Too Many Requests, in the site's layout, saying how long the wait is."""
    cool_off = get_cool_off(request)
    seconds = int(cool_off.total_seconds()) if cool_off else None
    response = render(
        request,
        "axes/lockout.html",
        {"minutes": math.ceil(seconds / 60) if seconds else None},
        status=429,
    )
    if seconds:
        response["Retry-After"] = str(seconds)
    return response
