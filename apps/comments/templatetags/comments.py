"""{% load comments %}{% comment_thread subject %}: the comments under an article or a
project, with the forms the visitor may use."""

from django import template
from django.utils import timezone

from apps.comments import selectors, services
from apps.comments.forms import CommentCreateForm
from apps.comments.models import Comment

register = template.Library()


def _allow(comment: Comment, user, *, can_comment: bool, can_moderate: bool, now) -> None:
    """Mark on the comment what this visitor may do with it."""
    own = user.has_perm("comments.change_comment", comment)
    comment.shows_text = comment.is_visible or (can_moderate and comment.deleted_at is None)
    comment.can_reply = can_comment and comment.is_visible
    comment.can_edit = own and comment.is_visible and services.can_still_edit(comment, now=now)
    comment.can_delete = own and comment.deleted_at is None
    comment.can_report = comment.is_visible and user.has_perm("comments.report_comment", comment)
    comment.can_hide = can_moderate and comment.is_visible
    comment.can_restore = can_moderate and comment.deleted_at is None and not comment.is_visible


@register.inclusion_tag("comments/_thread.html", takes_context=True)
def comment_thread(context, subject):
    request = context["request"]
    user = request.user
    kind = selectors.subject_kind(subject)
    can_moderate = user.has_perm("comments.moderate_comments")
    can_comment = user.has_perm("comments.comment") and subject.status == subject.Status.PUBLISHED
    comments = list(selectors.thread_for(subject, user))
    now = timezone.now()
    shown = 0
    for comment in comments:
        for item in (comment, *comment.shown_replies):
            _allow(item, user, can_comment=can_comment, can_moderate=can_moderate, now=now)
            shown += item.shows_text
    form = CommentCreateForm(initial={"kind": kind, "subject": subject.pk}, auto_id="comment_%s")
    return {
        "request": request,
        "user": user,
        "subject": subject,
        "comments": comments,
        "count": shown,
        "can_comment": can_comment,
        "can_moderate": can_moderate,
        "form": form,
        "body_max_length": services.BODY_MAX_LENGTH,
    }
