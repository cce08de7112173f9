"""Reads for comments: the thread under an article or a project, the moderation queue."""

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet

from apps.accounts.models import User
from apps.accounts.rules import is_moderator
from apps.catalog.models import Project
from apps.knowledge.models import Article

from .models import Comment, CommentReport

# The kinds of pages that carry comments, as named in forms and links.
SUBJECT_MODELS = {"article": Article, "project": Project}


def subject_kind(subject) -> str:
    for kind, model in SUBJECT_MODELS.items():
        if isinstance(subject, model):
            return kind
    raise TypeError(f"{type(subject).__name__} cannot carry comments")


def published_subject(*, kind: str, pk: int):
    """The published article or project a comment form names, or None."""
    model = SUBJECT_MODELS.get(kind)
    if model is None:
        return None
    return model.objects.published().filter(pk=pk).first()


def _shown_to(user: User) -> Q:
    """The comments whose text a person sees: everyone the visible ones, the moderation also
    the hidden ones (marked as hidden). Deleted text is shown to nobody."""
    if is_moderator(user):
        return Q(deleted_at=None)
    return Q(deleted_at=None, hidden_at=None)


def thread_for(subject, user: User) -> QuerySet[Comment]:
    """The comments on an article or project in the order written, each with its answers shown
    to this person in `shown_replies`. A comment this person may not read stays in the thread
    as a placeholder only while answers below it are shown. Two queries, however long."""
    shown = _shown_to(user)
    replies = Comment.objects.filter(shown).select_related("author")
    return (
        Comment.objects.filter(**{subject_kind(subject): subject}, parent=None)
        .annotate(has_shown_replies=Exists(Comment.objects.filter(shown, parent=OuterRef("pk"))))
        .filter(shown | Q(has_shown_replies=True))
        .select_related("author")
        .prefetch_related(Prefetch("replies", queryset=replies, to_attr="shown_replies"))
    )


def open_reports() -> QuerySet[CommentReport]:
    """Reports the moderation has not dealt with yet, oldest first."""
    return (
        CommentReport.objects.filter(resolved_at=None)
        .select_related("comment__author", "comment__article", "comment__project", "reporter")
        .order_by("created_at", "id")
    )
