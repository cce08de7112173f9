"""`manage.py restore_data FILE`: a backup of `backup_data` into an empty, migrated database.

Refuses a database that holds anything beyond what `migrate` puts there (user accounts, or any
row the backup does not have), so it can never mix two installations or overwrite one. The
rows `migrate` creates (topics, offer components, the site, the moderators group) are replaced
by the backup's, which has them under the same keys. Loads in one transaction: all or nothing.
Then rebuilds the full-text index, which is no model and not in the backup.
"""

import bz2
import gzip
import json
import lzma
from collections import defaultdict
from pathlib import Path

from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from apps.search.services import search_index_rebuild

from .backup_data import check_file_name, is_excluded

OPENERS = {".gz": gzip.open, ".bz2": bz2.open, ".xz": lzma.open, ".lzma": lzma.open}


def read_backup(path: Path) -> list[dict]:
    opener = OPENERS.get(path.suffix, open)
    try:
        with opener(path, "rt", encoding="utf-8") as backup:
            return json.load(backup)
    except (OSError, EOFError, ValueError) as error:
        raise CommandError(f"{path} is no readable backup: {error}") from error


def reasons_not_empty(records: list[dict]) -> list[str]:
    """Why the database is not empty enough to take the backup; empty list if it is."""
    users = get_user_model()._base_manager.count()
    if users:
        return [f"it has {users} user accounts"]
    in_backup: dict[str, set[str]] = defaultdict(set)
    for record in records:
        in_backup[record["model"]].add(str(record.get("pk")))
    reasons = []
    # Rows of many-to-many tables belong to a row of their model, checked there; the backup
    # replaces that row's set.
    for model in apps.get_models():
        meta = model._meta
        if meta.proxy or not meta.managed or is_excluded(model):
            continue
        keys = {str(pk) for pk in model._base_manager.values_list("pk", flat=True)}
        extra = keys - in_backup.get(meta.label_lower, set())
        if extra:
            reasons.append(f"{meta.db_table} has {len(extra)} rows the backup does not have")
    return reasons


class Command(BaseCommand):
    help = (
        "Load a backup written by backup_data into an empty database (run migrate and "
        "createcachetable first). Refuses a database that already holds data."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="the backup file, e.g. backup.json.gz")

    def handle(self, *args, file: str, **options):
        path = Path(file)
        check_file_name(path)
        if not path.is_file():
            raise CommandError(f"{path} does not exist.")
        records = read_backup(path)
        reasons = reasons_not_empty(records)
        if reasons:
            raise CommandError(
                "The database is not empty, so nothing was restored: "
                + "; ".join(reasons[:5])
                + ". Restore into a new database after migrate."
            )
        call_command("loaddata", str(path), verbosity=0)  # one transaction
        indexed = search_index_rebuild()
        self.stdout.write(
            self.style.SUCCESS(
                f"{len(records)} records restored from {path}; {indexed} projects indexed "
                "for search."
            )
        )
