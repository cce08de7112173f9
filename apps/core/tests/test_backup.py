"""backup_data and restore_data: a backup restored into a second, empty database (a SQLite file,
migrated and restored by a process of its own) holds the same rows, record for record, and a
backup of the restored database equals the first one."""

import gzip
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connections

from apps.catalog.models import Site, Topic
from apps.comments.services import comment_create
from apps.core.management.commands.backup_data import is_excluded
from apps.knowledge import services as knowledge
from apps.market import services as market
from apps.market.models import OfferComponent
from apps.organisations.models import Membership
from tests.factories import (
    FollowFactory,
    MembershipFactory,
    MunicipalityFactory,
    ProjectFactory,
    UserFactory,
    moderator,
)

RESTORED = "restored"
# Migrate and restore the second database, then back it up again, as an operator would.
RESTORE_SCRIPT = """
import sys
import django
django.setup()
from django.core.management import call_command
call_command("migrate", verbosity=0)
call_command("restore_data", sys.argv[1])
call_command("backup_data", sys.argv[2])
"""


@pytest.fixture
def content(db):
    """Some of everything: projects with sites, an offer with a conversation that moved on,
    an article with its history and a proposal, comments with an answer, follows, a group."""
    topics = list(Topic.objects.order_by("pk")[:2])
    first = ProjectFactory(title="Rollender Dorfladen", topics=topics)
    second = ProjectFactory(title="Reparaturcafé im Gemeindehaus", topics=topics[:1])
    Site.objects.create(
        project=first, municipality=MunicipalityFactory(), organisation=first.organisation
    )
    team = MembershipFactory(organisation=first.organisation, role=Membership.Role.ADMIN).user
    interested = UserFactory(display_name="Anna Interessiert")
    offer = market.offer_save(
        project=first,
        actor=team,
        components=OfferComponent.objects.filter(code__in=["manual", "mentoring"]),
        description="Handbuch, Schulung und ein Jahr Begleitung.",
        capacity_per_year=2,
    )
    request = market.interest_request_create(
        offer=offer,
        requester=interested,
        municipality=MunicipalityFactory(name="Schlitz", slug="schlitz-he", state="HE"),
        organisation=None,
        message="Wir möchten das bei uns starten.",
    )
    market.message_create(request=request, author=team, body="Gern, wann passt es Ihnen?")
    market.request_transition(request=request, actor=team, to_status="agreed", note="Passt.")
    author = UserFactory(display_name="Katrin Autorin")
    article = knowledge.article_create(
        author=author,
        topics=topics[:1],
        tags=knowledge.tags_from_text("Ehrenamt, Übergabe"),
        projects=[first],
        publish=True,
        kind="report",
        title="Wie wir unseren Dorfladen übergeben haben",
        summary="Nach acht Jahren hat ein neues Team den Laden übernommen.",
        body="Am Anfang stand eine Versammlung.\n\nDann kam der Umbau.",
    )
    knowledge.article_update(
        article=article,
        editor=author,
        comment="Umbau genauer",
        body="Am Anfang stand eine Versammlung mit 40 Leuten.\n\nDann kam der Umbau.",
    )
    knowledge.proposal_create(
        article=article,
        proposer=interested,
        title=article.title,
        summary=article.summary,
        body=article.body + "\n\nDie Kasse übernahm der Sportverein.",
        comment="Ergänzung zur Kasse",
    )
    question = comment_create(subject=article, author=interested, body="Wie lange dauerte es?")
    comment_create(subject=article, author=author, body="Ein halbes Jahr.", parent=question)
    comment_create(subject=second, author=team, body="Das machen wir auch.")
    FollowFactory(organisation=first.organisation, user=interested)
    moderator()
    return {"article": article, "request": request}


def _restored_database(path: Path) -> str:
    configured = connections.configure_settings(
        {
            "default": {"ENGINE": "django.db.backends.dummy"},  # only to pass the check
            RESTORED: {"ENGINE": "django.db.backends.sqlite3", "NAME": str(path)},
        }
    )
    connections.settings[RESTORED] = configured[RESTORED]
    # Connected here, the alias passes the test case's guard, which only stops connections to
    # databases the test did not declare (this one did not exist when the test started).
    connections[RESTORED].connect()
    return RESTORED


@pytest.fixture
def restored(content, tmp_path):
    """Back up the test database, restore it into a new SQLite file and back that up too."""
    backup, again = tmp_path / "backup.json.gz", tmp_path / "again.json.gz"
    call_command("backup_data", str(backup))
    database = tmp_path / "restored.sqlite3"
    environment = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{database}",
        "DJANGO_SETTINGS_MODULE": "transferhub.settings",
    }
    done = subprocess.run(
        [sys.executable, "-c", RESTORE_SCRIPT, str(backup), str(again)],
        cwd=settings.BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    assert "records restored" in done.stdout
    alias = _restored_database(database)
    yield {"backup": backup, "again": again, "alias": alias, **content}
    connections[alias].close()
    del connections[alias]
    del connections.settings[alias]


def _compared_models():
    for model in apps.get_models(include_auto_created=True):
        meta = model._meta
        if meta.proxy or not meta.managed or is_excluded(model):
            continue
        yield model


def _points_to_excluded(field) -> bool:
    return field.is_relation and field.related_model and is_excluded(field.related_model)


def _row(obj, fields) -> dict:
    row = {}
    for field in fields:
        if _points_to_excluded(field):
            related = getattr(obj, field.name)
            row[field.name] = related.natural_key() if related else None
            continue
        value = getattr(obj, field.attname)
        row[field.name] = bytes(value) if isinstance(value, memoryview) else value
    return row


def _sample(model, alias: str, pks: list) -> list[dict]:
    fields = model._meta.concrete_fields
    objects = model._base_manager.using(alias).filter(pk__in=pks).order_by("pk")
    return [_row(obj, fields) for obj in objects]


def _assert_same_rows(alias: str) -> None:
    compared = 0
    for model in _compared_models():
        label = model._meta.label
        ours = model._base_manager.using("default")
        theirs = model._base_manager.using(alias)
        assert theirs.count() == ours.count(), label
        if model._meta.auto_created:
            # Many-to-many rows get new ids on restore; their pairs must be the same.
            fields = [f for f in model._meta.concrete_fields if not f.primary_key]
            if not any(_points_to_excluded(f) for f in fields):
                pairs = [f.attname for f in fields]
                assert set(theirs.values_list(*pairs)) == set(ours.values_list(*pairs)), label
            continue
        pks = list(ours.order_by("pk").values_list("pk", flat=True))
        sample = sorted({*pks[:2], *pks[len(pks) // 2 : len(pks) // 2 + 1], *pks[-2:]})
        assert _sample(model, alias, sample) == _sample(model, "default", sample), label
        compared += len(sample)
    assert compared > 50  # the scene reached every kind of record


def _assert_content(alias: str, article, request) -> None:
    copy = type(article)._base_manager.using(alias).get(pk=article.pk)
    assert copy.history.using(alias).count() == article.history.count() >= 2
    assert copy.comments.using(alias).count() == 2
    conversation = type(request)._base_manager.using(alias).get(public_id=request.public_id)
    assert conversation.status == "agreed"
    assert conversation.messages.using(alias).count() == 2
    assert Group.objects.using(alias).get(name="moderators").user_set.count() == 1
    with connections[alias].cursor() as cursor:  # the search index was rebuilt
        cursor.execute("SELECT count(*) FROM search_project_fts")
        indexed = cursor.fetchone()[0]
    assert indexed == type(request.offer.project).objects.using(alias).count() == 2


def _records(path: Path) -> dict:
    with gzip.open(path, "rt", encoding="utf-8") as backup:
        records = json.load(backup)
    by_key = {}
    for record in records:
        fields = {
            name: sorted(value, key=json.dumps) if isinstance(value, list) else value
            for name, value in record["fields"].items()
        }
        by_key[(record["model"], str(record["pk"]))] = fields
    return by_key


def test_backup_restores_into_an_empty_database(restored):
    """One restore (a migrated SQLite file in a process of its own) for all the checks."""
    _assert_same_rows(restored["alias"])
    _assert_content(restored["alias"], restored["article"], restored["request"])

    first, again = _records(restored["backup"]), _records(restored["again"])
    assert again.keys() == first.keys()
    assert again == first  # a backup of the restored database is the same backup

    models = {model for model, _ in first}
    assert {"accounts.user", "knowledge.historicalarticle", "comments.comment"} <= models
    assert not {"contenttypes.contenttype", "auth.permission", "sessions.session"} & models
    assert not {"search.sqliteprojectindex", "search.postgresprojectdocument"} & models

    with pytest.raises(CommandError, match="not empty"):
        call_command("restore_data", str(restored["backup"]))


def test_file_names_say_what_the_file_is(db, tmp_path):
    with pytest.raises(CommandError, match=r"\.json"):
        call_command("backup_data", str(tmp_path / "backup.tar"))
    with pytest.raises(CommandError, match="does not exist"):
        call_command("restore_data", str(tmp_path / "missing.json"))
