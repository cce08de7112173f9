"""Loads the demo knowledge hub (articles with their revisions, edit proposals, follows and
comments on articles and demo projects) through the knowledge and comment services, so that
revisions, proposals and notifications are real; then dates everything back over the last
eighteen months.

Idempotent: an article is keyed on the slug of its title, a comment on its subject, author and
text, an account on its e-mail address; what exists is left alone. Nothing is e-mailed while
loading.
"""

import datetime
import json
import logging
from collections import Counter
from pathlib import Path

from allauth.account.models import EmailAddress
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.db import transaction
from django.test import override_settings
from django.utils import timezone
from django.utils.text import slugify

from apps.accounts.models import User
from apps.catalog.models import Project, Topic
from apps.comments.models import Comment
from apps.comments.services import comment_create

from .. import services
from ..models import Article, ArticleFollow, EditProposal, TopicFollow
from ..rules import EDITORS_GROUP

logger = logging.getLogger(__name__)

DEMO_DIR = Path(__file__).parent
DEMO_PASSWORD = "transferhub-demo"
EDITOR_EMAIL = "redaktion@transferhub.example"
# unique_slug cuts the slugified title to this length before it looks for a free slug.
SLUG_BASE_LENGTH = 150


def _read(name: str):
    return json.loads((DEMO_DIR / name).read_text(encoding="utf-8"))


def people_records() -> list[dict]:
    return _read("people.json")


def article_records() -> list[dict]:
    return _read("articles.json")


def comment_records() -> list[dict]:
    return _read("comments.json")


def article_slug(title: str) -> str:
    """The slug article_create gives a new article with this title (the demo's key)."""
    return slugify(title)[:SLUG_BASE_LENGTH].strip("-")


def apply_edits(text: str, edits: list[dict]) -> str:
    """A revision's text from the one before: each edit replaces a passage that occurs exactly
    once, or appends a paragraph."""
    for edit in edits:
        if "append" in edit:
            text = f"{text.rstrip()}\n\n{edit['append']}\n"
            continue
        found = text.count(edit["find"])
        if found != 1:
            raise ValueError(f"Demo edit matches {found} times, not once: {edit['find'][:80]!r}")
        text = text.replace(edit["find"], edit["replace"])
    return text


def _moment(now: datetime.datetime, days_ago: float, slot: int) -> datetime.datetime:
    """A plausible local time of day, days_ago days before now; slot varies the hour."""
    day = timezone.localtime(now) - datetime.timedelta(days=days_ago)
    moment = day.replace(hour=8 + (slot * 5) % 12, minute=(slot * 23) % 60, second=0, microsecond=0)
    return min(moment, now - datetime.timedelta(minutes=30))


class _Clock:
    """The moments of one article's or project's events, strictly in the order they happen."""

    def __init__(self, now: datetime.datetime, slot: int):
        self.now = now
        self.slot = slot
        self.last: datetime.datetime | None = None

    def at(self, days_ago: float) -> datetime.datetime:
        self.slot += 1
        moment = _moment(self.now, days_ago, self.slot)
        if self.last is not None and moment <= self.last:
            moment = min(
                self.last + datetime.timedelta(minutes=17), self.now - datetime.timedelta(minutes=1)
            )
        self.last = moment
        return moment


class _People:
    """The demo authors: accounts with the demo password and a verified address, created once;
    the editorial account is in the editors group."""

    def __init__(self, counts: Counter, now: datetime.datetime):
        self.counts = counts
        self.now = now
        self._password = None
        self.by_key: dict[str, User] = {}

    def load(self, records: list[dict]) -> None:
        editors = Group.objects.get_or_create(name=EDITORS_GROUP)[0]
        for index, record in enumerate(records):
            user, created = User.objects.get_or_create(
                email=record["email"], defaults={"display_name": record["name"]}
            )
            if created:
                # One hash for all of them: hashing is slow on purpose, and these are demo logins.
                self._password = self._password or make_password(DEMO_PASSWORD)
                user.password = self._password
                user.save(update_fields=["password"])
                User.objects.filter(pk=user.pk).update(
                    date_joined=_moment(self.now, 560 - index * 3, index)
                )
                self._follow_topics(user, record.get("topics", []), index)
                self.counts["accounts"] += 1
            EmailAddress.objects.get_or_create(
                user=user, email=user.email, defaults={"verified": True, "primary": True}
            )
            if record.get("editor"):
                user.groups.add(editors)
            self.by_key[record["key"]] = user

    def _follow_topics(self, user: User, slugs: list[str], index: int) -> None:
        for topic in Topic.objects.filter(slug__in=slugs):
            services.follow_topic(topic=topic, user=user, follow=True)
            self.counts["topic_follows"] += 1
        TopicFollow.objects.filter(user=user).update(
            created_at=_moment(self.now, 550 - index * 3, index + 1)
        )

    def __getitem__(self, key: str) -> User:
        return self.by_key[key]


class _ArticleLoader:
    """Writes one article and plays its later history (revisions, proposals and their
    decisions) through the services, then gives each step the moment the data gives for it:
    what the services write carries a time after the start of the load, every dated row an
    earlier one."""

    def __init__(self, record: dict, *, index: int, now, people: _People, counts: Counter):
        self.record = record
        self.now = now
        self.people = people
        self.counts = counts
        self.clock = _Clock(now, index * 7)

    def load(self) -> Article:
        record = self.record
        author = self.people[record["author"]]
        projects = list(Project.objects.filter(title__in=record["projects"]))
        if len(projects) != len(record["projects"]):
            missing = set(record["projects"]) - {project.title for project in projects}
            logger.warning("Demo article %r: no projects titled %s", record["title"], missing)
            self.counts["missing_projects"] += len(missing)
        published = self.clock.at(record["published_days_ago"])
        article = services.article_create(
            author=author,
            topics=Topic.objects.filter(slug__in=record["topics"]),
            tags=services.tags_from_text(", ".join(record["tags"])),
            projects=projects,
            publish=True,
            kind=record["kind"],
            title=record["title"],
            summary=record["summary"],
            body=record["body"],
            licence=record["licence"],
        )
        Article.objects.filter(pk=article.pk).update(
            created_at=published - datetime.timedelta(hours=3),
            updated_at=published,
            published_at=published,
        )
        self._date_revisions(article, published)
        self.counts["articles"] += 1
        self._follow(article, published)
        for step in record["history"]:
            if step.get("proposal"):
                self._propose(article, step)
            else:
                self._revise(article, step)
        return article

    def _date_revisions(self, article: Article, moment: datetime.datetime) -> None:
        article.history.filter(history_date__gte=self.now).update(history_date=moment)

    def _follow(self, article: Article, published: datetime.datetime) -> None:
        for position, key in enumerate(self.record["followers"]):
            user = self.people[key]
            services.follow_article(article=article, user=user, follow=True)
            followed = min(
                published + datetime.timedelta(days=position + 1, hours=position * 3),
                self.now - datetime.timedelta(hours=1),
            )
            ArticleFollow.objects.filter(article=article, user=user).update(created_at=followed)
            self.counts["article_follows"] += 1

    def _check(self, user: User, permission: str, article: Article) -> None:
        if not user.has_perm(permission, article):
            raise ValueError(
                f"Demo data: {user.email} may not {permission} on {self.record['title']!r}"
            )

    def _revise(self, article: Article, step: dict) -> None:
        editor = self.people[step["by"]]
        current = Article.objects.get(pk=article.pk)
        self._check(editor, "knowledge.change_article", current)
        moment = self.clock.at(step["days_ago"])
        services.article_update(
            article=current,
            editor=editor,
            comment=step["comment"],
            body=apply_edits(current.body, step["edits"]),
        )
        self._date_revisions(article, moment)
        Article.objects.filter(pk=article.pk).update(updated_at=moment)
        self.counts["revisions"] += 1

    def _propose(self, article: Article, step: dict) -> None:
        current = Article.objects.get(pk=article.pk)
        moment = self.clock.at(step["days_ago"])
        proposal = services.proposal_create(
            article=current,
            proposer=self.people[step["by"]],
            title=current.title,
            summary=current.summary,
            body=apply_edits(current.body, step["edits"]),
            comment=step["comment"],
        )
        EditProposal.objects.filter(pk=proposal.pk).update(created_at=moment)
        self.counts["proposals"] += 1
        decision = step.get("decision")
        if not decision:
            self.counts["proposals_pending"] += 1
            return
        decider = self.people[decision["by"]]
        self._check(decider, "knowledge.decide_proposal", current)
        decided = self.clock.at(decision["days_ago"])
        if decision["status"] == EditProposal.Status.ACCEPTED:
            services.proposal_accept(proposal=proposal, decided_by=decider)
            self._date_revisions(article, decided)
            Article.objects.filter(pk=article.pk).update(updated_at=decided)
            self.counts["proposals_accepted"] += 1
        elif decision["status"] == EditProposal.Status.REJECTED:
            services.proposal_reject(
                proposal=proposal, decided_by=decider, note=decision.get("note", "")
            )
            self.counts["proposals_rejected"] += 1
        else:
            raise ValueError(f"Unknown demo decision: {decision['status']!r}")
        EditProposal.objects.filter(pk=proposal.pk).update(decided_at=decided)


def _comment_moments(thread: list[dict], *, floor, now, slot: int) -> list[datetime.datetime]:
    """The moments of a thread's comments in the order they were written (each comment, then
    its replies). Where the subject was published after the data's first moment (the demo
    catalog publishes its projects in the last months only), the thread is squeezed in after
    the publication, keeping its order and proportions and, where there is room, its end."""
    days = [days for item in thread for days in (item["days_ago"], *_reply_days(item))]
    clock = _Clock(now, slot)
    moments = [clock.at(value) for value in days]
    earliest = floor + datetime.timedelta(hours=1)
    if moments[0] > earliest:
        return moments
    end = moments[-1]
    if end < earliest + datetime.timedelta(days=2):
        end = now - datetime.timedelta(minutes=30)
    span = (moments[-1] - moments[0]) or datetime.timedelta(minutes=1)
    room = max(end - earliest, datetime.timedelta(minutes=len(moments)))
    return [earliest + (moment - moments[0]) * (room / span) for moment in moments]


def _reply_days(item: dict) -> list[float]:
    return [reply["days_ago"] for reply in item.get("replies", [])]


def _subject(record: dict):
    if "article" in record:
        return Article.objects.filter(slug=article_slug(record["article"])).first(), "article"
    return Project.objects.filter(title=record["project"]).first(), "project"


def _load_comments(record: dict, *, index: int, now, people: _People, counts: Counter) -> None:
    subject, field = _subject(record)
    if subject is None:
        logger.warning("Demo comments skipped, no subject %r", record)
        counts["skipped"] += 1
        return
    thread = record["thread"]
    moments = iter(_comment_moments(thread, floor=subject.published_at, now=now, slot=index * 5))

    def write(entry: dict, parent: Comment | None) -> Comment:
        author = people[entry["by"]]
        moment = next(moments)
        existing = Comment.objects.filter(
            **{field: subject}, author=author, body=entry["body"].strip()
        ).first()
        if existing is not None:
            return existing
        comment = comment_create(subject=subject, author=author, body=entry["body"], parent=parent)
        Comment.objects.filter(pk=comment.pk).update(created_at=moment)
        counts["comments"] += 1
        if parent is not None:
            counts["replies"] += 1
        return comment

    for entry in thread:
        comment = write(entry, None)
        for reply in entry.get("replies", []):
            write(reply, comment)


def _load(now: datetime.datetime) -> Counter:
    counts: Counter = Counter()
    people = _People(counts, now)
    people.load(people_records())
    for index, record in enumerate(article_records()):
        if Article.objects.filter(slug=article_slug(record["title"])).exists():
            continue
        _ArticleLoader(record, index=index, now=now, people=people, counts=counts).load()
    for index, record in enumerate(comment_records()):
        _load_comments(record, index=index, now=now, people=people, counts=counts)
    return counts


def load_knowledge_demo() -> dict:
    """Create the demo articles, their history, follows, comments and authors that do not
    exist yet; returns how many of each were created."""
    counts = Counter(
        articles=0,
        revisions=0,
        proposals=0,
        proposals_accepted=0,
        proposals_rejected=0,
        proposals_pending=0,
        comments=0,
        replies=0,
        article_follows=0,
        topic_follows=0,
        accounts=0,
        missing_projects=0,
        skipped=0,
    )
    quiet = override_settings(
        TASKS={"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}},
        EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
    )
    # Background tasks run at once and e-mail stays in memory: nobody hears of the demo.
    with quiet, transaction.atomic():
        counts.update(_load(timezone.now()))
    return dict(counts)
