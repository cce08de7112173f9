import rules

from apps.accounts.rules import is_moderator

EDITORS_GROUP = "editors"

is_editor = is_moderator | rules.is_group_member(EDITORS_GROUP)


@rules.predicate
def is_author(user, article) -> bool:
    return article is not None and user.is_authenticated and article.author_id == user.pk


@rules.predicate
def is_published(user, article) -> bool:
    return article is not None and article.status == article.Status.PUBLISHED


rules.add_perm("knowledge.add_article", rules.is_authenticated)
rules.add_perm("knowledge.view_article", is_published | is_author | is_editor)
rules.add_perm("knowledge.change_article", is_author | is_editor)
rules.add_perm("knowledge.propose_edit", rules.is_authenticated & is_published & ~is_author)
rules.add_perm("knowledge.decide_proposal", is_author | is_editor)
rules.add_perm("knowledge.restore_revision", is_editor)
rules.add_perm("knowledge.follow", rules.is_authenticated)
rules.add_perm("knowledge.moderate_article", is_moderator)
