import rules

from apps.accounts.rules import is_moderator
from apps.organisations.rules import is_organisation_member


@rules.predicate
def is_project_member(user, project) -> bool:
    return project is not None and is_organisation_member(user, project.organisation)


@rules.predicate
def is_published(user, project) -> bool:
    return project is not None and project.status == project.Status.PUBLISHED


rules.add_perm("catalog.view_project", is_published | is_project_member | is_moderator)
rules.add_perm("catalog.change_project", is_project_member | is_moderator)
rules.add_perm("catalog.moderate_project", is_moderator)
