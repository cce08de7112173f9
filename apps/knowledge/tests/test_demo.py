"""The demo knowledge hub: articles with revisions, proposals, follows and comments, loaded
through the services."""

import datetime
import itertools

import pytest
from django.utils import timezone
from django.utils.html import escape
from django_tasks_db.models import DBTaskResult

from apps.accounts.models import User
from apps.catalog.demo.loader import demo_records
from apps.catalog.models import Project
from apps.comments.models import Comment
from apps.knowledge.demo.loader import (
    DEMO_PASSWORD,
    EDITOR_EMAIL,
    apply_edits,
    article_records,
    article_slug,
    comment_records,
    load_knowledge_demo,
    people_records,
)
from apps.knowledge.models import Article, ArticleFollow, EditProposal, Tag, TopicFollow
from apps.knowledge.rules import is_editor
from tests.demo_loading import load_demo_projects, loaded_for_module

pytestmark = pytest.mark.django_db

Kind = Article.Kind
P = EditProposal.Status


def _needed_project_titles() -> set[str]:
    titles = {title for record in article_records() for title in record["projects"]}
    return titles | {record["project"] for record in comment_records() if "project" in record}


def _load_knowledge_with_its_projects():
    # Published recently, as in the full demo, so that comment threads must fit in after them.
    load_demo_projects(_needed_project_titles(), days_ago=lambda index: 3 * index + 1)
    return load_knowledge_demo()


@pytest.fixture(scope="module")
def demo_knowledge(django_db_setup, django_db_blocker):
    with loaded_for_module(django_db_blocker, _load_knowledge_with_its_projects) as loaded:
        yield loaded


def _snapshot() -> dict[str, int]:
    return {
        model.__name__: model.objects.count()
        for model in (
            Article,
            Article.history.model,
            EditProposal,
            ArticleFollow,
            TopicFollow,
            Tag,
            Comment,
            User,
        )
    }


def test_the_demo_data_is_consistent():
    articles = article_records()
    titles = [record["title"] for record in articles]
    assert len({article_slug(title) for title in titles}) == len(titles)
    people = {record["key"] for record in people_records()}
    catalog = {record["title"] for record in demo_records()}
    assert _needed_project_titles() <= catalog
    for record in articles:
        assert len(record["summary"]) <= 280
        assert 2 <= len(record["tags"]) <= 5
        assert 400 <= len(record["body"].split()) <= 900, record["title"]
        assert record["author"] in people
        days = [record["published_days_ago"]]
        body = record["body"]
        for step in record["history"]:
            assert step["by"] in people
            days.append(step["days_ago"])
            changed = apply_edits(body, step["edits"])
            decision = step.get("decision") or {}
            if decision:
                days.append(decision["days_ago"])
            if not step.get("proposal") or decision.get("status") == P.ACCEPTED:
                body = changed
        assert days == sorted(days, reverse=True), record["title"]
    for record in comment_records():
        assert record.get("article", "") in titles or record.get("project") in catalog
        assert 2 <= sum(1 + len(entry["replies"]) for entry in record["thread"]) <= 6
        for entry in record["thread"]:
            assert entry["by"] in people
            for reply in entry["replies"]:
                assert reply["by"] in people
                assert reply["days_ago"] < entry["days_ago"]


def test_everything_in_the_data_files_is_loaded(demo_knowledge):
    articles = article_records()
    assert demo_knowledge["articles"] == len(articles) == Article.objects.count()
    assert demo_knowledge["missing_projects"] == demo_knowledge["skipped"] == 0
    assert demo_knowledge["revisions"] == sum(
        1 for record in articles for step in record["history"] if not step.get("proposal")
    )
    comments = sum(
        1 + len(entry.get("replies", []))
        for record in comment_records()
        for entry in record["thread"]
    )
    assert demo_knowledge["comments"] == comments == Comment.objects.count()


def test_published_articles_of_all_three_kinds(demo_knowledge):
    published = Article.objects.published()
    assert published.count() >= 30
    counts = {kind: published.filter(kind=kind).count() for kind in Kind.values}
    assert min(counts.values()) >= 10
    for article in published:
        assert article.topics.exists()
        assert 2 <= article.tags.count() <= 5
        assert article.author.email.endswith("@transferhub.example")
    for report in published.filter(kind=Kind.REPORT):
        assert report.projects.exists()


def test_the_hub_and_the_article_pages_show_the_demo(client, demo_knowledge):
    content = client.get("/wissen/").content.decode()
    newest = Article.objects.published().order_by("-published_at").first()
    assert newest.get_absolute_url() in content
    commented = Article.objects.filter(comments__isnull=False).distinct().first()
    page = client.get(commented.get_absolute_url())
    assert page.status_code == 200
    first = commented.comments.order_by("created_at").first()
    assert escape(first.body[:40]) in page.content.decode()
    assert client.get(f"{commented.get_absolute_url()}versionen/").status_code == 200


def test_many_articles_have_several_revisions_in_order(demo_knowledge):
    now = timezone.now()
    several = 0
    for article in Article.objects.all():
        revisions = list(article.history.order_by("history_date", "history_id"))
        assert revisions[0].history_date == article.published_at
        assert revisions[0].history_user_id == article.author_id
        for before, after in itertools.pairwise(revisions):
            assert before.history_date < after.history_date
        assert revisions[-1].history_date == article.updated_at < now
        assert revisions[-1].body == article.body
        for revision in revisions[1:]:
            assert revision.history_change_reason
            user = revision.history_user
            assert (
                user == article.author
                or is_editor(user)
                or (
                    EditProposal.objects.filter(
                        article=article, proposer=user, status=P.ACCEPTED
                    ).exists()
                )
            )
        several += len(revisions) >= 2
    assert several >= 12
    assert Article.objects.filter(published_at__lt=now - datetime.timedelta(days=480)).exists()


def test_proposals_are_accepted_rejected_and_pending(demo_knowledge):
    assert EditProposal.objects.filter(status=P.ACCEPTED).count() >= 2
    assert EditProposal.objects.filter(status=P.REJECTED).count() == 2
    assert EditProposal.objects.filter(status=P.PENDING).count() == 2
    assert EditProposal.objects.values("article").distinct().count() >= 6
    for proposal in EditProposal.objects.select_related("article"):
        assert proposal.proposer_id != proposal.article.author_id
        assert proposal.created_at > proposal.article.published_at
        if proposal.status == P.PENDING:
            assert proposal.decided_at is None
            continue
        assert proposal.decided_at > proposal.created_at
        if proposal.status == P.REJECTED:
            assert proposal.decision_note
        else:
            revision = proposal.article.history.get(history_date=proposal.decided_at)
            assert revision.history_user_id == proposal.proposer_id
            assert revision.history_change_reason == proposal.comment[:100]


def test_comments_with_replies_on_articles_and_projects(demo_knowledge):
    now = timezone.now()
    on_articles = Comment.objects.filter(article__isnull=False)
    assert on_articles.values("article").distinct().count() >= 15
    assert Comment.objects.filter(project__isnull=False).values("project").distinct().count() >= 5
    assert Comment.objects.filter(parent__isnull=False).count() >= 10
    for comment in Comment.objects.select_related("article", "project", "parent"):
        assert comment.subject.published_at < comment.created_at < now
        if comment.parent is not None:
            assert comment.parent.parent_id is None
            assert comment.parent.created_at < comment.created_at
    for project in Project.objects.filter(comments__isnull=False).distinct():
        assert 2 <= project.comments.count() <= 6


def test_followers_of_articles_and_topics(demo_knowledge):
    assert ArticleFollow.objects.values("article").distinct().count() >= 20
    assert TopicFollow.objects.values("user").distinct().count() >= 8
    for follow in ArticleFollow.objects.select_related("article"):
        assert follow.user_id != follow.article.author_id
        assert follow.created_at > follow.article.published_at


def test_the_demo_logins(client, demo_knowledge):
    editor = User.objects.get(email=EDITOR_EMAIL)
    assert is_editor(editor)
    assert editor.emailaddress_set.get().verified
    assert client.login(email=EDITOR_EMAIL, password=DEMO_PASSWORD)
    for record in people_records():
        user = User.objects.get(email=record["email"])
        assert user.display_name == record["name"]
        assert is_editor(user) == bool(record.get("editor"))
    assert len(people_records()) - 1 in range(6, 11)


def test_loading_twice_changes_nothing(demo_knowledge):
    before = _snapshot()
    again = load_knowledge_demo()
    assert {key: value for key, value in again.items() if value} == {}
    assert _snapshot() == before


def test_loading_sends_no_email_and_queues_no_task(settings, demo_knowledge):
    Article.objects.all().delete()
    Comment.objects.all().delete()
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "mail.invalid"
    loaded = load_knowledge_demo()
    assert loaded["articles"] == Article.objects.count() > 0
    assert loaded["comments"] == Comment.objects.count() > 0
    assert not DBTaskResult.objects.exists()
