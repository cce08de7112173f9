import datetime

import pytest
from django.test import RequestFactory

from apps.core.ratelimit import Limit, RateLimited, client_ip, rate_limit_hit

LIMIT = Limit("test", per_user=100, per_ip=2, window=datetime.timedelta(minutes=10))


def _request(remote: str, forwarded: str = ""):
    from django.contrib.auth.models import AnonymousUser

    request = RequestFactory().post("/", REMOTE_ADDR=remote, HTTP_X_FORWARDED_FOR=forwarded)
    request.user = AnonymousUser()
    return request


def test_without_a_proxy_the_connecting_address_counts(settings):
    settings.RATE_LIMIT_TRUSTED_PROXIES = 0
    assert client_ip(_request("203.0.113.9", "198.51.100.1")) == "203.0.113.9"


def test_behind_one_proxy_the_address_it_saw_counts_and_forged_entries_do_not(settings):
    settings.RATE_LIMIT_TRUSTED_PROXIES = 1
    # The visitor claims 10.0.0.1; nginx appends the address it really saw.
    assert client_ip(_request("127.0.0.1", "10.0.0.1, 198.51.100.7")) == "198.51.100.7"


@pytest.mark.django_db
def test_visitors_behind_the_same_proxy_have_their_own_limits(settings):
    settings.RATE_LIMIT_TRUSTED_PROXIES = 1
    for _ in range(2):
        rate_limit_hit(_request("127.0.0.1", "198.51.100.7"), LIMIT)
    with pytest.raises(RateLimited):
        rate_limit_hit(_request("127.0.0.1", "198.51.100.7"), LIMIT)
    rate_limit_hit(_request("127.0.0.1", "198.51.100.8"), LIMIT)
