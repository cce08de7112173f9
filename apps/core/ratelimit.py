"""Rate limits on writes anyone can trigger: contact forms, interest requests, messages.

Each limited action counts one hit per client key (the user and the IP address) in a sliding
window. Counting rows in the database works in every process and on both database engines.
"""

import datetime
import hashlib
import random
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

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
