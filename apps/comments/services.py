"""Writes for comments on articles and projects: write, answer, edit, delete, report, moderate.

Every change of what visitors see under a project bumps the catalog version, because project
pages are cached for anonymous visitors per catalog version. E-mails carry a link to the
comment and never go to the person who caused them.
"""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from apps.accounts.models import User
from apps.accounts.rules import is_moderator
from apps.accounts.selectors import moderators
from apps.catalog.cache import bump_catalog_version
from apps.catalog.models import Project
from apps.core.email import absolute_url, send_templated_email
from apps.core.text import plain_text
from apps.knowledge.models import Article
from apps.knowledge.selectors import article_follower_emails

from .models import Comment, CommentReport

BODY_MAX_LENGTH = 5000
REASON_MAX_LENGTH = 500
# Long enough to fix a typo, short enough that answers still reply to what was written.
EDIT_WINDOW = datetime.timedelta(minutes=15)


def _check_text(text: str, *, field: str, max_length: int, empty_message: str) -> str:
    text = plain_text(text)
    if not text:
        raise ValidationError({field: empty_message})
    if len(text) > max_length:
        raise ValidationError(
            {
                field: _("Please write at most %(max)d characters (you wrote %(length)d).")
                % {"max": max_length, "length": len(text)}
            }
        )
    return text


def _check_body(body: str) -> str:
    return _check_text(
        body,
        field="body",
        max_length=BODY_MAX_LENGTH,
        empty_message=_("Please write a comment."),
    )


def _subject_fields(subject) -> dict:
    """The foreign key a comment on this subject is stored under; only published subjects."""
    if isinstance(subject, Article):
        if subject.status != Article.Status.PUBLISHED:
            raise ValidationError(_("Only published articles can be commented on."))
        return {"article": subject}
    if isinstance(subject, Project):
        if subject.status != Project.Status.PUBLISHED:
            raise ValidationError(_("Only published projects can be commented on."))
        return {"project": subject}
    raise ValidationError(_("This page cannot be commented on."))


def _same_subject(comment: Comment, fields: dict) -> bool:
    if "article" in fields:
        return comment.article_id == fields["article"].pk
    return comment.project_id == fields["project"].pk


def _lock(comment: Comment) -> Comment:
    # Only the comment's own row: PostgreSQL cannot lock the nullable side of an outer join.
    return (
        Comment.objects.select_for_update(of=("self",))
        .select_related("article", "project", "author")
        .get(pk=comment.pk)
    )


def _subject_title(comment: Comment) -> str:
    return comment.subject.title


def _page_changed(comment: Comment) -> None:
    """What visitors see under the comment's subject has changed: project and article pages
    are cached for anonymous visitors per catalog version."""
    bump_catalog_version()


# Writing --------------------------------------------------------------------------------------


@transaction.atomic
def comment_create(*, subject, author: User, body: str, parent: Comment | None = None) -> Comment:
    """Comment on a published article or project, or answer a comment on it. Answers go one
    level deep: answering an answer attaches to the comment that started the thread."""
    body = _check_body(body)
    fields = _subject_fields(subject)
    answered: list[Comment] = []
    if parent is not None:
        parent = _lock(parent)
        if not _same_subject(parent, fields):
            raise ValidationError(_("You can only answer comments on the same page."))
        answered.append(parent)
        if parent.parent_id is not None:
            parent = Comment.objects.select_related("author").get(pk=parent.parent_id)
            answered.append(parent)
        # A thread whose first comment was deleted or hidden takes no new answers.
        if not all(earlier.is_visible for earlier in answered):
            raise ValidationError(_("This comment can no longer be answered."))
    comment = Comment.objects.create(author=author, body=body, parent=parent, **fields)
    _page_changed(comment)
    _announce(comment, subject, author, answered)
    return comment


def _announce(comment: Comment, subject, author: User, answered: list[Comment]) -> None:
    """Tell the authors of the answered comments (the answer and the comment that started the
    thread), then the article's followers; each person once, never the author."""
    url = absolute_url(comment.get_absolute_url())
    context = {"comment": comment, "subject": subject, "author": author, "url": url}
    told = {
        earlier.author.email
        for earlier in answered
        if earlier.author_id is not None and earlier.author_id != author.pk
    }
    if told:
        send_templated_email(
            to=told,
            subject=gettext_lazy("%(author)s answered your comment on “%(title)s”"),
            subject_params={"author": author.public_name, "title": subject.title},
            template="comments/email/reply.txt",
            context=context,
        )
    if isinstance(subject, Article):
        followers = set(article_follower_emails(subject, exclude=author)) - told
        send_templated_email(
            to=followers,
            subject=gettext_lazy("New comment on “%(title)s”"),
            subject_params={"title": subject.title},
            template="comments/email/new_comment.txt",
            context=context,
        )


def _check_author(comment: Comment, user: User) -> None:
    if comment.author_id is None or comment.author_id != user.pk:
        raise PermissionDenied


def can_still_edit(comment: Comment, *, now: datetime.datetime | None = None) -> bool:
    """Whether the edit window of the comment is still open (whoever asks)."""
    return comment.created_at >= (now or timezone.now()) - EDIT_WINDOW


@transaction.atomic
def comment_edit(*, comment: Comment, editor: User, body: str) -> Comment:
    """Change the text; only its author, only within EDIT_WINDOW of writing it."""
    comment = _lock(comment)
    _check_author(comment, editor)
    if not comment.is_visible:
        raise ValidationError(_("This comment can no longer be changed."))
    if not can_still_edit(comment):
        raise ValidationError(
            _("A comment can only be changed within %(minutes)d minutes of writing it.")
            % {"minutes": int(EDIT_WINDOW.total_seconds() // 60)}
        )
    body = _check_body(body)
    if body == comment.body:
        return comment
    comment.body = body
    comment.edited_at = timezone.now()
    comment.save(update_fields=["body", "edited_at"])
    _page_changed(comment)
    return comment


@transaction.atomic
def comment_delete(*, comment: Comment, actor: User) -> None:
    """Its author takes a comment back. The text stays stored but is shown nowhere; a comment
    with answers leaves a placeholder so the answers keep their place."""
    comment = _lock(comment)
    _check_author(comment, actor)
    if comment.deleted_at is not None:
        return
    comment.deleted_at = timezone.now()
    comment.save(update_fields=["deleted_at"])
    # Nothing is left for the moderation to look at.
    comment.reports.filter(resolved_at=None).update(resolved_at=comment.deleted_at)
    _page_changed(comment)


# Reports and moderation -----------------------------------------------------------------------


def _check_reason(reason: str, empty_message: str) -> str:
    return _check_text(
        reason, field="reason", max_length=REASON_MAX_LENGTH, empty_message=empty_message
    )


@transaction.atomic
def comment_report(*, comment: Comment, reporter: User, reason: str) -> CommentReport:
    """Ask the moderation to look at a comment; each person once while the report is open."""
    reason = _check_reason(reason, _("Please tell the moderation what is wrong."))
    comment = _lock(comment)
    if comment.author_id == reporter.pk:
        raise ValidationError(_("You cannot report your own comment."))
    if comment.deleted_at is not None:
        raise ValidationError(_("This comment has been deleted."))
    if comment.hidden_at is not None:
        raise ValidationError(_("The moderation has already hidden this comment."))
    try:
        with transaction.atomic():
            report = CommentReport.objects.create(comment=comment, reporter=reporter, reason=reason)
    except IntegrityError:  # the partial unique constraint: one open report per person
        raise ValidationError(_("You have already reported this comment.")) from None
    send_templated_email(
        to=[user.email for user in moderators() if user.pk != reporter.pk],
        subject=gettext_lazy("A comment was reported"),
        template="comments/email/reported.txt",
        context={
            "comment": comment,
            "subject": comment.subject,
            "url": absolute_url(reverse("comments:moderation")),
        },
    )
    return report


def _check_moderator(user: User) -> None:
    if not is_moderator(user):
        raise PermissionDenied


@transaction.atomic
def comment_hide(*, comment: Comment, moderator: User, reason: str) -> Comment:
    """Hide a comment from everyone but the moderation, close its reports and tell its author
    why."""
    _check_moderator(moderator)
    reason = _check_reason(reason, _("Please give the reason for hiding the comment."))
    comment = _lock(comment)
    if comment.deleted_at is not None:
        raise ValidationError(_("This comment has been deleted."))
    if comment.hidden_at is not None:
        raise ValidationError(_("This comment is already hidden."))
    comment.hidden_at = timezone.now()
    comment.hidden_by = moderator
    comment.hidden_reason = reason
    comment.save(update_fields=["hidden_at", "hidden_by", "hidden_reason"])
    comment.reports.filter(resolved_at=None).update(resolved_at=comment.hidden_at)
    _page_changed(comment)
    if comment.author is not None and comment.author_id != moderator.pk:
        send_templated_email(
            to=[comment.author.email],
            subject=gettext_lazy("Your comment on “%(title)s” has been hidden"),
            subject_params={"title": _subject_title(comment)},
            template="comments/email/hidden.txt",
            context={
                "comment": comment,
                "subject": comment.subject,
                "reason": reason,
                "url": absolute_url(comment.subject.get_absolute_url()),
            },
        )
    return comment


@transaction.atomic
def comment_restore(*, comment: Comment, moderator: User) -> Comment:
    """Show a hidden comment again."""
    _check_moderator(moderator)
    comment = _lock(comment)
    if comment.hidden_at is None:
        raise ValidationError(_("This comment is not hidden."))
    comment.hidden_at = None
    comment.hidden_by = None
    comment.hidden_reason = ""
    comment.save(update_fields=["hidden_at", "hidden_by", "hidden_reason"])
    _page_changed(comment)
    return comment


@transaction.atomic
def comment_reports_dismiss(*, comment: Comment, moderator: User) -> int:
    """Close the open reports of a comment without hiding it; returns how many were open."""
    _check_moderator(moderator)
    comment = _lock(comment)
    return comment.reports.filter(resolved_at=None).update(resolved_at=timezone.now())
