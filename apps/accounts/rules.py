import rules

MODERATORS_GROUP = "moderators"

is_moderator = rules.is_superuser | rules.is_group_member(MODERATORS_GROUP)
