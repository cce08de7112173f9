"""Who may do what with comments. Anyone logged in comments and reports others' comments;
authors change and delete their own; the moderation hides and restores."""

import rules

from apps.accounts.rules import is_moderator


@rules.predicate
def is_comment_author(user, comment) -> bool:
    return (
        comment is not None
        and user.is_authenticated
        and comment.author_id is not None
        and comment.author_id == user.pk
    )


rules.add_perm("comments.comment", rules.is_authenticated)
rules.add_perm("comments.change_comment", is_comment_author)
rules.add_perm("comments.report_comment", rules.is_authenticated & ~is_comment_author)
rules.add_perm("comments.moderate_comments", is_moderator)
