"""Writes about a person's own account: deleting it, with everything personal."""

from importlib import import_module

from allauth.account.models import EmailAddress
from django.apps import apps
from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.catalog.cache import bump_catalog_version
from apps.comments.models import Comment
from apps.core.models import RateLimitHit
from apps.knowledge.models import Article, ArticleFollow, TopicFollow
from apps.market.models import InterestRequest
from apps.organisations.models import Follow, Membership, MembershipRequest

from .models import User
from .selectors import (
    email_addresses_of,
    invitations_to,
    organisations_blocking_deletion,
    rate_limit_client,
)

ArticleRevision = Article.history.model


def _check_no_members_left_alone(user: User) -> None:
    """Refuse while the person is the only administrator of an organisation with other
    members. The administrators of the person's organisations are locked first, so two
    administrators deleting their accounts at once cannot both leave, each counting on the
    other."""
    administered = Membership.objects.filter(user=user, role=Membership.Role.ADMIN).values(
        "organisation_id"
    )
    list(
        Membership.objects.select_for_update()
        .filter(organisation_id__in=administered, role=Membership.Role.ADMIN)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    stranded = organisations_blocking_deletion(user=user)
    if stranded:
        raise ValidationError(
            _(
                "You are the only administrator of %(names)s. Make another member an "
                "administrator first, so the organisation is not left without one."
            )
            % {"names": ", ".join(organisation.name for organisation in stranded)}
        )


def _own_drafts(user: User) -> list[int]:
    """Articles the person started and never published, which nobody else has changed: their
    private work, not a public contribution."""
    changed_by_others = ArticleRevision.objects.exclude(history_user=user).values("id")
    return list(
        Article.objects.filter(author=user, status=Article.Status.DRAFT, published_at=None)
        .exclude(pk__in=changed_by_others)
        .values_list("pk", flat=True)
    )


def _delete_sessions(user: User) -> int:
    """End every session the person is logged in with, on any device.

    Database sessions are looked through once; with other session engines the sessions stop
    working anyway, since they point to an account that no longer exists."""
    store_class = import_module(settings.SESSION_ENGINE).SessionStore
    if not hasattr(store_class, "get_model_class"):
        return 0
    decoder = store_class()
    user_id = str(user.pk)
    keys = [
        key
        for key, data in store_class.get_model_class()
        .objects.filter(expire_date__gt=timezone.now())
        .values_list("session_key", "session_data")
        .iterator(chunk_size=2000)
        if decoder.decode(data).get(SESSION_KEY) == user_id
    ]
    for key in keys:
        store_class().delete(key)
    return len(keys)


def _delete_login_records(addresses: list[str]) -> None:
    """The login throttling (django-axes) keeps failed logins under the address tried."""
    if not apps.is_installed("axes"):
        return
    for name in ("AccessAttempt", "AccessFailureLog", "AccessLog"):
        apps.get_model("axes", name).objects.filter(username__in=addresses).delete()


@transaction.atomic
def account_delete(*, user: User) -> None:
    """Delete the account and everything personal about the person.

    What they contributed in public stays, attributed to nobody (shown as "deleted user"):
    articles, revisions, edit proposals, comments, messages in other people's conversations,
    status changes. Refused, with nothing written, while the person is the only administrator
    of an organisation that has other members.

    Interest requests the person sent are deleted with their whole conversation, because
    ``InterestRequest.requester`` cascades: the organisation loses its copy too.
    """
    user = User.objects.select_for_update().get(pk=user.pk)
    _check_no_members_left_alone(user)

    addresses = email_addresses_of(user)
    # Rows that only say something about the person.
    Membership.objects.filter(user=user).delete()
    MembershipRequest.objects.filter(user=user).delete()
    invitations_to(addresses).delete()
    Follow.objects.filter(user=user).delete()
    ArticleFollow.objects.filter(user=user).delete()
    TopicFollow.objects.filter(user=user).delete()
    InterestRequest.objects.filter(requester=user).delete()
    RateLimitHit.objects.filter(client=rate_limit_client(user)).delete()
    EmailAddress.objects.filter(user=user).delete()
    _delete_login_records(addresses)

    drafts = _own_drafts(user)
    Article.objects.filter(pk__in=drafts).delete()
    ArticleRevision.objects.filter(id__in=drafts).delete()
    # Revisions copy the author without a database constraint, so deleting the account would
    # not empty it there; it would keep pointing at the deleted account's number.
    ArticleRevision.objects.filter(author=user).update(author=None)
    # Text the person took back was kept only for the moderation; no one may read it now.
    Comment.objects.filter(author=user, deleted_at__isnull=False).update(body="")

    _delete_sessions(user)
    # Everything else pointing at the account is emptied (SET_NULL): authorship of articles,
    # revisions, proposals, comments, messages, status changes, reports, decisions.
    user.delete()
    # Cached pages for anonymous visitors still show the person's name.
    bump_catalog_version()
