"""`manage.py backup_data FILE`: all data in one JSON file, read in one consistent snapshot.

What the file holds is Django's own fixture format (`dumpdata`), so it restores on SQLite and on
PostgreSQL alike (`restore_data`). Left out is what `migrate` creates anew or what has no value
in a backup: content types and permissions (referred to by natural key instead, so the restored
database's own rows are used), sessions (people log in again), the rate-limit and login-failure
counters, and the cache table and search index (not models; the index is rebuilt on restore).
"""

import datetime
import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from django.apps import apps
from django.core import serializers
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.core.serializers import json as json_serializer
from django.core.serializers.json import DjangoJSONEncoder
from django.db import DEFAULT_DB_ALIAS, connections, transaction

# App labels or app.model labels.
EXCLUDED = ("contenttypes", "auth.permission", "sessions", "core.ratelimithit", "axes")
FILE_NAME = re.compile(r"\.json(\.(gz|bz2|xz|lzma))?$")


# Django's JSON keeps milliseconds of a time; a backup keeps all of it, so that a restored
# database sorts and compares times as the original did. The file stays plain fixture JSON:
# loaddata reads it with its own deserializer.
FORMAT = "json-exact"


class ExactJSONEncoder(DjangoJSONEncoder):
    def default(self, o):
        if isinstance(o, datetime.datetime):
            text = o.isoformat()
            return text[:-6] + "Z" if text.endswith("+00:00") else text
        if isinstance(o, datetime.time):
            return o.isoformat()
        return super().default(o)


class Serializer(json_serializer.Serializer):
    def _init_options(self):
        super()._init_options()
        self.json_kwargs["cls"] = ExactJSONEncoder


Deserializer = json_serializer.Deserializer


def excluded_labels() -> list[str]:
    """The exclusions that exist in this installation (dumpdata refuses unknown labels), and
    the models whose tables Django does not manage (the search index of either database)."""
    labels = [model._meta.label for model in apps.get_models() if not model._meta.managed]
    for label in EXCLUDED:
        app_label, _, model = label.partition(".")
        try:
            app = apps.get_app_config(app_label)
            if model:
                app.get_model(model)
        except LookupError:
            continue
        labels.append(label)
    return labels


def is_excluded(model) -> bool:
    return model._meta.app_label in EXCLUDED or model._meta.label_lower in EXCLUDED


def check_file_name(path: Path) -> None:
    if not FILE_NAME.search(path.name):
        raise CommandError(
            f"{path.name}: name the backup *.json, or *.json.gz (.bz2, .xz) to compress it."
        )


@contextmanager
def snapshot(alias: str = DEFAULT_DB_ALIAS) -> Iterator[None]:
    """One read transaction for everything the dump reads, so that rows written meanwhile are
    either all in the backup or none of them. Writers are not blocked: PostgreSQL reads from a
    REPEATABLE READ snapshot, SQLite (WAL) from the snapshot of a deferred transaction."""
    connection = connections[alias]
    if connection.in_atomic_block:
        yield  # The caller's transaction is the snapshot.
        return
    if connection.vendor == "sqlite":
        # The app's IMMEDIATE mode would take the write lock for the whole dump.
        connection.ensure_connection()
        mode, connection.transaction_mode = connection.transaction_mode, None
        try:
            with transaction.atomic(using=alias):
                yield
        finally:
            connection.transaction_mode = mode
        return
    with transaction.atomic(using=alias):
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        yield


class Command(BaseCommand):
    help = (
        "Write a consistent backup of all data to FILE (*.json, or *.json.gz to compress); "
        "restore it with restore_data into an empty database."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="the backup file to write, e.g. backup.json.gz")

    def handle(self, *args, file: str, **options):
        path = Path(file)
        check_file_name(path)
        if not path.parent.is_dir():
            raise CommandError(f"{path.parent} is not a folder.")
        # Written beside the target under a hidden name with the same ending (dumpdata picks
        # the compression by it), and renamed when complete: no half-written backup.
        partial = path.with_name(f".{path.name}.partial{''.join(path.suffixes)}")
        serializers.register_serializer(FORMAT, __name__)
        try:
            with snapshot():
                call_command(
                    "dumpdata",
                    format=FORMAT,
                    natural_foreign=True,
                    exclude=excluded_labels(),
                    output=str(partial),
                    verbosity=0,
                )
            os.replace(partial, path)
        finally:
            partial.unlink(missing_ok=True)
        self.stdout.write(
            self.style.SUCCESS(f"Backup written to {path} ({path.stat().st_size:,} bytes).")
        )
