from django.apps import AppConfig
from django.db.models.signals import post_migrate

# What moderators may do in the Django admin, besides the moderation queue.
MODERATOR_PERMISSIONS = [
    ("places", "add_municipality"),
    ("places", "change_municipality"),
    ("places", "view_municipality"),
    ("catalog", "view_project"),
    ("catalog", "change_project"),
    ("catalog", "moderate_project"),
    ("catalog", "view_site"),
    ("catalog", "change_site"),
    ("catalog", "add_topic"),
    ("catalog", "change_topic"),
    ("catalog", "view_topic"),
    ("catalog", "add_targetgroup"),
    ("catalog", "change_targetgroup"),
    ("catalog", "view_targetgroup"),
    ("organisations", "view_organisation"),
    ("organisations", "change_organisation"),
]


def grant_moderator_permissions(sender, **kwargs):
    """Keep the moderators group's admin permissions in step after every migrate."""
    from django.contrib.auth.models import Group, Permission

    from .rules import MODERATORS_GROUP

    group, _created = Group.objects.get_or_create(name=MODERATORS_GROUP)
    wanted = Permission.objects.filter(
        content_type__app_label__in={app for app, _codename in MODERATOR_PERMISSIONS},
        codename__in={codename for _app, codename in MODERATOR_PERMISSIONS},
    )
    group.permissions.add(*wanted)


class AccountsConfig(AppConfig):
    name = "apps.accounts"
    label = "accounts"

    def ready(self):
        post_migrate.connect(
            grant_moderator_permissions, dispatch_uid="grant_moderator_permissions"
        )
