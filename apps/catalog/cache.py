"""A catalog version number in the shared cache: every write bumps it, so cached reads of the
catalog (facet counts, anonymous pages) never outlive a change, in any process."""

from django.core.cache import cache
from django.db import transaction

VERSION_KEY = "catalog:version"


def catalog_version() -> int:
    version = cache.get(VERSION_KEY)
    if version is None:
        version = 1
        cache.add(VERSION_KEY, version, timeout=None)
    return version


def bump_catalog_version() -> None:
    """Invalidate cached catalog reads once the current transaction has committed."""

    def bump():
        try:
            cache.incr(VERSION_KEY)
        except ValueError:
            cache.set(VERSION_KEY, 2, timeout=None)

    transaction.on_commit(bump)
