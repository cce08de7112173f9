import rules

from apps.accounts.rules import is_moderator


@rules.predicate
def is_organisation_member(user, organisation) -> bool:
    if not user.is_authenticated or organisation is None:
        return False
    return organisation.memberships.filter(user=user).exists()


@rules.predicate
def is_organisation_admin(user, organisation) -> bool:
    if not user.is_authenticated or organisation is None:
        return False
    return organisation.memberships.filter(user=user, role="admin").exists()


rules.add_perm("organisations.change_organisation", is_organisation_admin | is_moderator)
rules.add_perm("organisations.invite_member", is_organisation_admin)
rules.add_perm("organisations.add_project", is_organisation_member)
# Names and roles are for the organisation itself and the moderators; e-mail addresses,
# requests and changes for its administrators only.
rules.add_perm("organisations.view_members", is_organisation_member | is_moderator)
rules.add_perm("organisations.manage_members", is_organisation_admin)
rules.add_perm("organisations.request_membership", rules.is_authenticated & ~is_organisation_member)
