"""Loading demo content once per test module, for the demo loaders' own tests."""

import datetime
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from django.db import transaction
from django.test import override_settings
from django.utils import timezone

from apps.catalog.demo.loader import PlaceLookup, demo_accounts, demo_records, load_project
from apps.places.services import municipalities_load


def load_demo_projects(titles: set[str], *, days_ago: Callable[[int], int]) -> None:
    """The municipalities and only the demo projects with these titles: the full catalog takes
    much longer. days_ago(index) gives each project's publication date."""
    municipalities_load()
    moderator, place = demo_accounts(), PlaceLookup()
    now = timezone.now()
    for index, record in enumerate(r for r in demo_records() if r["title"] in titles):
        load_project(
            record,
            place=place,
            moderator=moderator,
            published_at=now - datetime.timedelta(days=days_ago(index)),
        )


@contextmanager
def loaded_for_module(django_db_blocker, load: Callable[[], object]) -> Iterator[object]:
    """Run load() in a transaction that is rolled back after the module's last test; each test
    runs in a savepoint inside it."""
    with django_db_blocker.unblock(), transaction.atomic():
        with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
            loaded = load()
        yield loaded
        transaction.set_rollback(True)
