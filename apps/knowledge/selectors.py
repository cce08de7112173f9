"""Reads for the knowledge hub."""

from collections.abc import Callable
from dataclasses import dataclass

from django.core.cache import cache
from django.db.models import Count, F, Prefetch, Q, QuerySet
from django.http import Http404

from apps.accounts.models import User
from apps.catalog.models import Project, Site, Topic
from apps.search.text import query_terms, stems

from .diff import Piece, word_diff
from .models import Article, ArticleFollow, EditProposal, Tag, TopicFollow
from .rules import EDITORS_GROUP, is_editor

LIST_RELATIONS = ("author",)
RELATED_LIMIT = 4


def published_articles() -> QuerySet[Article]:
    return (
        Article.objects.published()
        .select_related(*LIST_RELATIONS)
        .prefetch_related("topics", "tags")
    )


def article_list(
    *, kind: str = "", topic: Topic | None = None, tag: Tag | None = None
) -> QuerySet[Article]:
    articles = published_articles()
    if kind:
        articles = articles.filter(kind=kind)
    if topic is not None:
        articles = articles.filter(topics=topic)
    if tag is not None:
        articles = articles.filter(tags=tag)
    return articles.order_by(F("published_at").desc(nulls_last=True), "-id")


def _published_article_count() -> Count:
    return Count("articles", filter=Q(articles__status=Article.Status.PUBLISHED))


def topics_with_articles() -> QuerySet[Topic]:
    return (
        Topic.objects.annotate(article_count=_published_article_count())
        .filter(article_count__gt=0)
        .order_by("name")
    )


def popular_tags(limit: int = 30) -> QuerySet[Tag]:
    return (
        Tag.objects.annotate(article_count=_published_article_count())
        .filter(article_count__gt=0)
        .order_by("-article_count", "name")[:limit]
    )


def article_visible_to(*, slug: str, user: User) -> Article:
    article = (
        Article.objects.select_related("author")
        .prefetch_related(
            "topics",
            "tags",
            Prefetch("projects", Project.objects.published().select_related("municipality")),
            Prefetch(
                "sites",
                Site.objects.filter(project__status="published").select_related("municipality"),
            ),
        )
        .filter(slug=slug)
        .first()
    )
    if article is None or not user.has_perm("knowledge.view_article", article):
        raise Http404
    return article


def projects_with_sites(article: Article) -> list[tuple[Project, list[str]]]:
    """The published projects the article is about, each with the places of its sites that the
    article names (from the prefetched relations of article_visible_to)."""
    sites = article.sites.all()
    return [
        (project, [site.municipality.name for site in sites if site.project_id == project.pk])
        for project in article.projects.all()
    ]


def drafts_of(*, user: User) -> QuerySet[Article]:
    return (
        Article.objects.filter(author=user)
        .exclude(status=Article.Status.PUBLISHED)
        .order_by("-updated_at")
    )


# Revisions ------------------------------------------------------------------------------------


@dataclass
class Revision:
    record: object  # a historical record of the article
    number: int
    previous: object | None

    @property
    def changes(self) -> dict[str, list[Piece]]:
        """Word diffs of the text fields that changed against the revision before."""
        if self.previous is None:
            return {}
        result = {}
        for name in ("title", "summary", "body"):
            old, new = getattr(self.previous, name), getattr(self.record, name)
            if old != new:
                result[name] = word_diff(old, new)
        return result


def revisions(article: Article, user: User) -> list[Revision]:
    """Newest first, each with the one before it for the diff. Versions from before the
    publication or while the moderation hid the article are for its author and editors."""
    records = article.history.select_related("history_user").order_by("history_date")
    if not can_decide(user, article):
        records = records.filter(status=Article.Status.PUBLISHED)
    records = list(records)
    numbered = [
        Revision(record=record, number=index + 1, previous=records[index - 1] if index else None)
        for index, record in enumerate(records)
    ]
    return list(reversed(numbered))


def revision(article: Article, revision_id: int, user: User) -> Revision:
    for item in revisions(article, user):
        if item.record.history_id == revision_id:
            return item
    raise Http404


def pending_proposals(article: Article) -> QuerySet[EditProposal]:
    return article.proposals.filter(status=EditProposal.Status.PENDING).select_related("proposer")


def proposal_diff(proposal: EditProposal) -> dict[str, list[Piece]]:
    """What the proposal would change in the article as it is now."""
    article = proposal.article
    return {
        name: word_diff(getattr(article, name), getattr(proposal, name))
        for name in ("title", "summary", "body")
        if getattr(article, name) != getattr(proposal, name)
    }


def proposal_is_current(proposal: EditProposal) -> bool:
    """Whether the article is still at the revision the proposal was written against."""
    latest = proposal.article.history.order_by("-history_date", "-history_id").first()
    return latest is None or proposal.base_revision_id == latest.history_id


def proposal_decider_emails(article: Article) -> list[str]:
    """The author decides on proposals; without one (a deleted account), the editors."""
    if article.author_id:
        return [article.author.email]
    return list(
        User.objects.filter(groups__name=EDITORS_GROUP, is_active=True).values_list(
            "email", flat=True
        )
    )


def can_decide(user: User, article: Article) -> bool:
    return user.is_authenticated and (article.author_id == user.pk or is_editor(user))


# Related content ------------------------------------------------------------------------------


# Related content is chosen again when the article changes and at the latest after an hour, not
# after every write anywhere (a comment elsewhere would otherwise send each article's next view
# through the match pipeline). Only ids are kept: what is no longer published drops out at once.
RELATED_CACHE_SECONDS = 3600


def _cached_related_ids(
    name: str, article: Article, choose: Callable[[Article], list[int]]
) -> list[int]:
    key = f"knowledge:{name}:{article.pk}:{article.updated_at.timestamp()}"
    ids = cache.get(key)
    if ids is None:
        ids = choose(article)
        cache.set(key, ids, RELATED_CACHE_SECONDS)
    return ids


def _in_order(queryset: QuerySet, ids: list[int]) -> list:
    by_id = queryset.in_bulk(ids)
    return [by_id[pk] for pk in ids if pk in by_id]


def related_articles(article: Article) -> list[Article]:
    """Published articles sharing the most topics and tags, then the most title words."""
    ids = _cached_related_ids("related", article, _related_article_ids)
    return _in_order(published_articles(), ids)


def _related_article_ids(article: Article) -> list[int]:
    topic_ids = list(article.topics.values_list("pk", flat=True))
    tag_ids = list(article.tags.values_list("pk", flat=True))
    candidates = (
        Article.objects.published()
        .exclude(pk=article.pk)
        .annotate(
            shared=Count("topics", filter=Q(topics__in=topic_ids), distinct=True)
            + Count("tags", filter=Q(tags__in=tag_ids), distinct=True)
        )
        .filter(shared__gt=0)
        .order_by("-shared", "-published_at")
        .values_list("pk", "shared", "title", "summary")[:50]
    )
    own_terms = set(query_terms(f"{article.title} {article.summary}", limit=None))

    def score(row) -> tuple:
        pk, shared, title, summary = row
        overlap = len(own_terms & set(query_terms(f"{title} {summary}", limit=None)))
        return (shared + overlap, pk)

    return [row[0] for row in sorted(candidates, key=score, reverse=True)[:RELATED_LIMIT]]


def related_projects(article: Article) -> list[Project]:
    """Published projects close in meaning; the ones the article is about are listed apart."""
    ids = _cached_related_ids("projects", article, _related_project_ids)
    projects = Project.objects.published().select_related("municipality", "organisation")
    return _in_order(projects, ids)


def _related_project_ids(article: Article) -> list[int]:
    from apps.search.selectors import MatchMethod, ranked_projects

    linked = list(article.projects.published().values_list("pk", flat=True))
    ranked, _vector = ranked_projects(
        f"{article.title}. {article.summary}", method=MatchMethod.HYBRID, limit=20
    )
    published = set(
        Project.objects.published()
        .filter(pk__in=[pk for pk, _score in ranked])
        .values_list("pk", flat=True)
    )
    return [pk for pk, _score in ranked if pk in published and pk not in linked][:RELATED_LIMIT]


# Followers ------------------------------------------------------------------------------------


def article_follower_emails(article: Article, *, exclude: User | None = None) -> list[str]:
    follows = ArticleFollow.objects.filter(article=article)
    if exclude is not None:
        follows = follows.exclude(user=exclude)
    return list(follows.values_list("user__email", flat=True))


def topic_follower_emails(article: Article, *, exclude: User | None = None) -> list[str]:
    follows = TopicFollow.objects.filter(topic__in=article.topics.all())
    if exclude is not None:
        follows = follows.exclude(user=exclude)
    return list(follows.values_list("user__email", flat=True).distinct())


def follows_article(user: User, article: Article) -> bool:
    return user.is_authenticated and article.follows.filter(user=user).exists()


def followed_topic_ids(user: User) -> set[int]:
    if not user.is_authenticated:
        return set()
    return set(TopicFollow.objects.filter(user=user).values_list("topic_id", flat=True))


# Search ---------------------------------------------------------------------------------------


def search_articles(query: str, limit: int = 20) -> list[Article]:
    """Published articles containing every word stem of the query, title hits first.

    Both sides are Snowball stems, so "Vereine" finds "Verein" and "Gärten" finds "Garten";
    a stem inside a longer stem finds compounds. The knowledge hub is small enough (hundreds
    of articles) for a scan."""
    terms = query_terms(query)[:8]
    if not terms:
        return []
    articles = published_articles()
    for term in terms:
        articles = articles.filter(search_stems__contains=term)
    found = list(articles[:200])

    def score(article: Article) -> tuple:
        title = " ".join(stems(article.title))
        return (sum(term in title for term in terms), article.published_at or article.created_at)

    return sorted(found, key=score, reverse=True)[:limit]
