from dataclasses import dataclass

import pytest
from django.contrib.auth.models import Group

from apps.accounts.models import User
from apps.catalog.models import Topic
from apps.knowledge import services
from apps.knowledge.models import Article
from apps.knowledge.rules import EDITORS_GROUP
from tests.factories import UserFactory, moderator


@dataclass
class People:
    author: User
    reader: User
    proposer: User
    editor: User
    moderator: User


def write_article(author, *, publish=True, **fields) -> Article:
    return services.article_create(
        author=author,
        topics=[Topic.objects.get(slug="nachbarschaft-und-engagement")],
        tags=services.tags_from_text("Ehrenamt, Versicherung"),
        publish=publish,
        **{
            "kind": "report",
            "title": "Wie wir unseren Dorfladen übergeben haben",
            "summary": "Nach acht Jahren hat ein neues Team den Laden übernommen.",
            "body": "Am Anfang stand eine Versammlung mit 40 Leuten.\n\nDann kam der Umbau.",
            **fields,
        },
    )


@pytest.fixture
def people(db) -> People:
    editor = UserFactory(display_name="Erika Redaktion")
    editor.groups.add(Group.objects.get_or_create(name=EDITORS_GROUP)[0])
    return People(
        author=UserFactory(display_name="Anna Autorin"),
        reader=UserFactory(display_name="Rolf Leser"),
        proposer=UserFactory(display_name="Paul Vorschlag"),
        editor=editor,
        moderator=moderator(),
    )


@pytest.fixture
def article(people) -> Article:
    return write_article(people.author)
