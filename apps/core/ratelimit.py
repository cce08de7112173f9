"""Rate limits on writes anyone can trigger: contact forms, interest requests, messages.

Each limited action counts one hit per client key (the user and the IP address) in a sliding
window. Counting rows in the database works in every process and on both database engines.
"""

import datetime
import hashlib
import random
from collections.abc import Callable
from dataclasses import dataclass

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .forms import add_validation_error
from .models import RateLimitHit

PRUNE_PROBABILITY = 0.01
KEEP_HITS_FOR = datetime.timedelta(days=1)


@dataclass(frozen=True)
class Limit:
    scope: str
    per_user: int
    per_ip: int
    window: datetime.timedelta


class RateLimited(Exception):
    message = _("You have sent a lot in a short time. Please wait a while before you try again.")


def client_ip(request: HttpRequest) -> str:
    """The visitor's address. Behind RATE_LIMIT_TRUSTED_PROXIES reverse proxies it is the
    entry that many places from the end of X-Forwarded-For (the proxies append to it), since
    every request then arrives from the proxy's own address."""
    proxies = settings.RATE_LIMIT_TRUSTED_PROXIES
    if proxies:
        forwarded = [
            part.strip()
            for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
            if part.strip()
        ]
        if len(forwarded) >= proxies:
            return forwarded[-proxies]
    return request.META.get("REMOTE_ADDR", "") or "unknown"


def _ip_key(ip: str) -> str:
    return "ip:" + hashlib.sha256(f"{settings.SECRET_KEY}:{ip}".encode()).hexdigest()[:40]


def _client_keys(request: HttpRequest, limit: Limit) -> list[tuple[str, int]]:
    keys = [(_ip_key(client_ip(request)), limit.per_ip)]
    if request.user.is_authenticated:
        keys.append((f"user:{request.user.pk}", limit.per_user))
    return keys


def rate_limit_hit(request: HttpRequest, limit: Limit) -> None:
    """Count one action of this client, or raise RateLimited if a key has used up its window.

    Call it inside the transaction of the write, so a failed write gives its hit back."""
    now = timezone.now()
    since = now - limit.window
    keys = _client_keys(request, limit)
    with transaction.atomic():
        for client, allowed in keys:
            used = RateLimitHit.objects.filter(
                scope=limit.scope, client=client, created_at__gte=since
            ).count()
            if used >= allowed:
                raise RateLimited
        RateLimitHit.objects.bulk_create(
            RateLimitHit(scope=limit.scope, client=client, created_at=now) for client, _ in keys
        )
    if random.random() < PRUNE_PROBABILITY:
        RateLimitHit.objects.filter(created_at__lt=now - KEEP_HITS_FOR).delete()


def write_within_limit(request: HttpRequest, limit: Limit, form: forms.Form, write: Callable):
    """Run write() and count it against the limit, in one transaction. If the limit is used up
    or the write refuses the input, the reason goes onto the form, nothing is written, and the
    result is None; a used-up limit also marks the form (see RateLimitedFormMixin)."""
    try:
        with transaction.atomic():
            rate_limit_hit(request, limit)
            return write()
    except RateLimited as limited:
        form.add_error(None, limited.message)
        form.limit_reached = True
    except ValidationError as error:
        add_validation_error(form, error)
    return None


class RateLimitedFormMixin:
    """For form views that write through write_within_limit: a used-up limit is answered with
    429 Too Many Requests, with the form and its message."""

    def form_invalid(self, form):
        status = 429 if getattr(form, "limit_reached", False) else 200
        return self.render_to_response(self.get_context_data(form=form), status=status)
