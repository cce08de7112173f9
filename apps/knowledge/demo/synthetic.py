"""Synthetic knowledge articles on a synthetic catalog, for benchmarks
(`manage.py generate_articles`).

Each article is written after one of the demo articles (articles.json), taken in turn: its
kind, topics, tags and licence, its introduction, and its sections, some of them swapped for
sections of other demo articles of the same kind. The title names a place of a project on its
topic; an experience report is about that project, as the demo's reports are about theirs. The
authors are the demo's people (accounts without a password). What article number i says depends
only on the seed and i, so a second run with the same seed adds nothing.

The rows are written with bulk_create, not through article_create, which saves, announces and
e-mails one article at a time. This module keeps its invariants: every article has its first
revision, its reading time and the word stems the site search reads.
"""

import datetime
import random
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.db.models import F
from django.utils import timezone, translation
from django.utils.text import slugify
from django.utils.translation import gettext

from apps.accounts.models import User
from apps.catalog.demo.synthetic import finish_bulk_load, seeded_random, shorten
from apps.catalog.models import Project, Topic
from apps.search.text import stems

from ..models import Article, Tag
from ..services import RESERVED_SLUGS
from .loader import article_records, article_slug, people_records

SECTION = "\n\n### "
SWAP_SECTION = 0.3
PUBLISHED_DAYS = 3 * 365
# Kinds whose demo articles are about projects, and how likely a synthetic one is too.
ABOUT_A_PROJECT = {Article.Kind.REPORT: 1.0, Article.Kind.GUIDE: 0.3}
TITLE_MAX = Article._meta.get_field("title").max_length
TAG_SLUG_MAX = Tag._meta.get_field("slug").max_length
RELATIONS = ("topics", "tags", "projects")


@dataclass
class ArticleReport:
    articles: int
    seconds: float


@dataclass
class ArticlePlan:
    article: Article
    relations: dict[str, list[int]]


class ArticleWriter:
    def __init__(self, *, seed: int | None):
        self.seed = seed
        self.now = timezone.now()
        self.templates = article_records()
        self.sections: dict[str, list[str]] = defaultdict(list)
        for record in self.templates:
            self.sections[record["kind"]] += record["body"].split(SECTION)[1:]
        self.authors = self._authors()
        self.topics = dict(Topic.objects.values_list("slug", "pk"))
        self.tags = self._tags()
        self.projects_by_topic = self._projects_by_topic()
        self.slugs = set(Article.objects.values_list("slug", flat=True)) | RESERVED_SLUGS
        with translation.override(settings.LANGUAGE_CODE):
            # The history is stored in the platform's language, like article_create's.
            self.first_version = gettext("First version")

    @staticmethod
    def _authors() -> list[User]:
        unusable = make_password(None)  # demo authors of a benchmark: nobody signs in as them
        return [
            User.objects.get_or_create(
                email=person["email"],
                defaults={"display_name": person["name"], "password": unusable},
            )[0]
            for person in people_records()
        ]

    def _tags(self) -> dict[str, int]:
        names = {name for record in self.templates for name in record["tags"]}
        Tag.objects.bulk_create(
            [Tag(name=name, slug=self._tag_slug(name)) for name in sorted(names)],
            ignore_conflicts=True,  # tags the hub has already
        )
        return dict(Tag.objects.values_list("slug", "pk"))

    @staticmethod
    def _tag_slug(name: str) -> str:
        return slugify(name)[:TAG_SLUG_MAX]

    @staticmethod
    def _projects_by_topic() -> dict[int, list[tuple[int, str, datetime.datetime]]]:
        """Published projects per topic, with their place and publication, in id order."""
        rows = (
            Project.topics.through.objects.filter(project__status=Project.Status.PUBLISHED)
            .order_by("topic_id", "project_id")
            .values_list(
                "topic_id", "project_id", "project__municipality__name", "project__published_at"
            )
        )
        by_topic = defaultdict(list)
        for topic_id, *project in rows.iterator(chunk_size=5000):
            by_topic[topic_id].append(tuple(project))
        return by_topic

    def plan(self, number: int) -> ArticlePlan:
        rng = seeded_random(self.seed, "article", number)
        record = self.templates[number % len(self.templates)]
        topic_ids = [self.topics[slug] for slug in record["topics"] if slug in self.topics]
        pool = self.projects_by_topic.get(topic_ids[0], []) if topic_ids else []
        project = rng.choice(pool) if pool else None
        about = project is not None and rng.random() < ABOUT_A_PROJECT.get(record["kind"], 0)
        title = record["title"]
        if project is not None:
            suffix = f" ({project[1]})"
            title = shorten(title, TITLE_MAX - len(suffix)) + suffix
        published_at = self._published_at(project[2] if about else None, rng)
        body = self._body(record, rng)
        article = Article(
            kind=record["kind"],
            title=title,
            slug=self._slug(title),
            summary=record["summary"],
            body=body,
            author=rng.choice(self.authors),
            licence=record["licence"],
            status=Article.Status.PUBLISHED,
            published_at=published_at,
            search_stems=" ".join(stems(f"{title} {record['summary']} {body}")),
        )
        article.reading_minutes = article.count_reading_minutes()
        # What the first revision records (see bulk_history_create).
        article._history_user = article.author
        article._history_date = published_at
        tags = {self.tags[self._tag_slug(name)] for name in record["tags"]}
        return ArticlePlan(
            article,
            {
                "topics": topic_ids,
                "tags": sorted(tags),
                "projects": [project[0]] if about else [],
            },
        )

    def _published_at(
        self, project_published: datetime.datetime | None, rng: random.Random
    ) -> datetime.datetime:
        """Within the last three years, and not before the project it is about."""
        start = self.now - datetime.timedelta(days=PUBLISHED_DAYS)
        if project_published is not None:
            start = min(max(start, project_published), self.now)
        return start + (self.now - start) * rng.random()

    def _body(self, record: dict, rng: random.Random) -> str:
        introduction, *sections = record["body"].split(SECTION)
        pool = self.sections[record["kind"]]
        sections = [
            rng.choice(pool) if rng.random() < SWAP_SECTION else section for section in sections
        ]
        return SECTION.join([introduction, *dict.fromkeys(sections)])

    def _slug(self, title: str) -> str:
        """Like unique_slug, against the slugs taken so far in this run too."""
        base = article_slug(title) or "artikel"
        slug, counter = base, 2
        while slug in self.slugs:
            slug, counter = f"{base}-{counter}", counter + 1
        self.slugs.add(slug)
        return slug

    @transaction.atomic
    def write(self, plans: list[ArticlePlan]) -> None:
        articles = Article.objects.bulk_create([plan.article for plan in plans])
        Article.history.bulk_history_create(articles, default_change_reason=self.first_version)
        for name in RELATIONS:
            relation = Article._meta.get_field(name)
            through = relation.remote_field.through
            own, other = relation.m2m_column_name(), relation.m2m_reverse_name()
            through.objects.bulk_create(
                through(**{own: article.pk, other: related_id})
                for article, plan in zip(articles, plans, strict=True)
                for related_id in plan.relations[name]
            )


def generate_articles(
    *,
    articles: int,
    seed: int | None = None,
    batch_size: int = 100,
    progress: Callable[[int], None] = lambda done: None,
) -> ArticleReport:
    """Add synthetic published articles until the hub holds `articles` published ones."""
    started = time.perf_counter()
    since = timezone.now()
    first = Article.objects.published().count()
    writer = ArticleWriter(seed=seed)
    for batch_start in range(first, articles, batch_size):
        numbers = range(batch_start, min(batch_start + batch_size, articles))
        writer.write([writer.plan(number) for number in numbers])
        progress(len(numbers))
    # bulk_create stamps the dates with now; an article was written shortly before it went
    # online, and not changed since.
    Article.objects.filter(created_at__gte=since).update(
        created_at=F("published_at") - datetime.timedelta(hours=3),
        updated_at=F("published_at"),
    )
    finish_bulk_load()
    return ArticleReport(articles=max(articles - first, 0), seconds=time.perf_counter() - started)
