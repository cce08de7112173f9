"""A comment scene: a published project, the author of a comment on it, another user and a
moderator; an article in the knowledge hub for comments there."""

from dataclasses import dataclass

import pytest

from apps.accounts.models import User
from apps.catalog.models import Project, Topic
from apps.comments.models import Comment
from apps.knowledge.models import Article
from apps.knowledge.services import article_create
from tests.factories import ProjectFactory, UserFactory, moderator


@dataclass
class Scene:
    project: Project
    author: User
    other: User
    moderator: User

    def comment(self, body: str = "Das haben wir bei uns auch versucht.", **fields) -> Comment:
        from apps.comments.services import comment_create

        return comment_create(
            subject=fields.pop("subject", self.project),
            author=fields.pop("author", self.author),
            body=body,
            **fields,
        )


def write_article(author: User, *, publish: bool = True) -> Article:
    return article_create(
        author=author,
        topics=[Topic.objects.get(slug="nachbarschaft-und-engagement")],
        publish=publish,
        kind="report",
        title="Wie wir unseren Dorfladen übergeben haben",
        summary="Nach acht Jahren hat ein neues Team den Laden übernommen.",
        body="Am Anfang stand eine Versammlung mit 40 Leuten.",
    )


@pytest.fixture
def scene(db) -> Scene:
    return Scene(
        project=ProjectFactory(title="Rollender Dorfladen", slug="rollender-dorfladen"),
        author=UserFactory(display_name="Anna Kommentar"),
        other=UserFactory(display_name="Otto Anders"),
        moderator=moderator(),
    )


@pytest.fixture
def article(scene) -> Article:
    return write_article(UserFactory(display_name="Rita Redaktion"))
