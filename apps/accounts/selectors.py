"""Reads about a person's own account: everything stored about them (for the download of their
data) and what stands in the way of deleting the account.

The export holds what the person wrote or chose themselves. Of other people it names no more
than the public name the site shows anyway (the other side of a conversation, who changed a
status); it leaves out other people's messages, e-mail addresses and notes.
"""

from typing import Any

from allauth.account.models import EmailAddress
from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone

from apps.comments.models import Comment, CommentReport
from apps.core.email import absolute_url
from apps.core.models import RateLimitHit
from apps.knowledge.models import Article, ArticleFollow, EditProposal, TopicFollow
from apps.market.models import (
    ConversationRead,
    InterestRequest,
    Message,
    MessageReport,
    RequestEvent,
)
from apps.organisations.models import (
    Follow,
    Invitation,
    Membership,
    MembershipRequest,
    Organisation,
)

from .models import User
from .rules import MODERATORS_GROUP

EXPORT_FORMAT = "transferhub-personal-data"
EXPORT_VERSION = 1


def rate_limit_client(user: User) -> str:
    """The key under which apps.core.ratelimit counts this person's actions."""
    return f"user:{user.pk}"


def email_addresses_of(user: User) -> list[str]:
    """All addresses of the account, lower case: the login address and allauth's addresses."""
    addresses = {user.email.lower()}
    addresses.update(
        address.lower()
        for address in EmailAddress.objects.filter(user=user).values_list("email", flat=True)
    )
    return sorted(addresses)


def invitations_to(addresses: list[str]) -> QuerySet[Invitation]:
    """Invitations sent to any of these addresses, in any spelling of upper and lower case."""
    match = Q(pk__in=[])
    for address in addresses:
        match |= Q(email__iexact=address)
    return Invitation.objects.filter(match)


def organisations_blocking_deletion(*, user: User) -> list[Organisation]:
    """Organisations the person is the only administrator of while others are members too:
    deleting the account would leave those members without anyone to run the organisation."""
    return list(
        Organisation.objects.filter(
            pk__in=Membership.objects.filter(user=user, role=Membership.Role.ADMIN).values(
                "organisation_id"
            )
        )
        .annotate(
            admin_count=Count(
                "memberships", filter=Q(memberships__role=Membership.Role.ADMIN), distinct=True
            ),
            member_count=Count("memberships", distinct=True),
        )
        .filter(admin_count=1, member_count__gt=1)
        .order_by("name")
    )


# The download of one's data -------------------------------------------------------------------


def _when(value) -> str | None:
    return value.isoformat() if value else None


def _organisation(organisation: Organisation | None) -> dict[str, str] | None:
    if organisation is None:
        return None
    return {"name": organisation.name, "url": absolute_url(organisation.get_absolute_url())}


def _account(user: User) -> dict[str, Any]:
    return {
        "id": user.pk,
        "email": user.email,
        "display_name": user.display_name,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "public_name": user.public_name,
        "date_joined": _when(user.date_joined),
        "last_login": _when(user.last_login),
        "is_active": user.is_active,
        "is_staff": user.is_staff,
        "is_superuser": user.is_superuser,
        "has_password": user.has_usable_password(),
        "groups": sorted(user.groups.values_list("name", flat=True)),
    }


def _email_addresses(user: User) -> list[dict[str, Any]]:
    return [
        {"email": address.email, "verified": address.verified, "primary": address.primary}
        for address in EmailAddress.objects.filter(user=user).order_by("pk")
    ]


def _memberships(user: User) -> list[dict[str, Any]]:
    return [
        {
            "organisation": _organisation(membership.organisation),
            "role": membership.role,
            "joined_at": _when(membership.joined_at),
        }
        for membership in Membership.objects.filter(user=user)
        .select_related("organisation")
        .order_by("joined_at", "pk")
    ]


def _membership_requests(user: User) -> list[dict[str, Any]]:
    # The administrators' decision is named, not their reasoning (their text, e-mailed to the
    # person at the time).
    return [
        {
            "organisation": _organisation(membership_request.organisation),
            "message": membership_request.message,
            "accepted_terms": membership_request.accepted_terms,
            "status": membership_request.status,
            "created_at": _when(membership_request.created_at),
            "decided_at": _when(membership_request.decided_at),
        }
        for membership_request in MembershipRequest.objects.filter(user=user)
        .select_related("organisation")
        .order_by("created_at", "pk")
    ]


def _invitations(addresses: list[str]) -> list[dict[str, Any]]:
    return [
        {
            "organisation": _organisation(invitation.organisation),
            "email": invitation.email,
            "role": invitation.role,
            "created_at": _when(invitation.created_at),
            "accepted_at": _when(invitation.accepted_at),
        }
        for invitation in invitations_to(addresses)
        .select_related("organisation")
        .order_by("created_at", "pk")
    ]


def _invitations_sent(user: User) -> list[dict[str, Any]]:
    # The invited address belongs to someone else: only what the person did is listed.
    return [
        {
            "organisation": _organisation(invitation.organisation),
            "role": invitation.role,
            "created_at": _when(invitation.created_at),
            "accepted": invitation.accepted_at is not None,
        }
        for invitation in Invitation.objects.filter(invited_by=user)
        .select_related("organisation")
        .order_by("created_at", "pk")
    ]


def _follows(user: User) -> dict[str, list[dict[str, Any]]]:
    organisations = [
        {"organisation": _organisation(follow.organisation), "since": _when(follow.created_at)}
        for follow in Follow.objects.filter(user=user)
        .select_related("organisation")
        .order_by("created_at", "pk")
    ]
    articles = [
        {
            "article": follow.article.title,
            "url": absolute_url(follow.article.get_absolute_url()),
            "since": _when(follow.created_at),
        }
        for follow in ArticleFollow.objects.filter(user=user)
        .select_related("article")
        .order_by("created_at", "pk")
    ]
    topics = [
        {"topic": follow.topic.name, "since": _when(follow.created_at)}
        for follow in TopicFollow.objects.filter(user=user)
        .select_related("topic")
        .order_by("created_at", "pk")
    ]
    return {"organisations": organisations, "articles": articles, "topics": topics}


def _conversations(user: User) -> list[dict[str, Any]]:
    """The conversations the person started, wrote in or changed the status of: their context,
    the status history with public names, and the person's own messages only."""
    taking_part = (
        Q(requester=user)
        | Q(pk__in=Message.objects.filter(author=user).values("request_id"))
        | Q(pk__in=RequestEvent.objects.filter(actor=user).values("request_id"))
        | Q(pk__in=ConversationRead.objects.filter(user=user).values("request_id"))
        | Q(pk__in=MessageReport.objects.filter(reporter=user).values("message__request_id"))
    )
    conversations = (
        InterestRequest.objects.filter(taking_part)
        .select_related("offer__project__organisation", "municipality", "organisation", "requester")
        .prefetch_related(
            Prefetch(
                "events",
                queryset=RequestEvent.objects.select_related("actor").order_by("created_at", "pk"),
            ),
            Prefetch(
                "messages",
                queryset=Message.objects.filter(author=user).order_by("created_at", "pk"),
                to_attr="own_messages",
            ),
            Prefetch(
                "reads", queryset=ConversationRead.objects.filter(user=user), to_attr="own_reads"
            ),
        )
        .order_by("created_at", "pk")
    )
    return [_conversation(request, user) for request in conversations]


def _conversation(request: InterestRequest, user: User) -> dict[str, Any]:
    project = request.offer.project
    is_requester = request.requester_id == user.pk
    return {
        "id": str(request.public_id),
        "url": absolute_url(request.get_absolute_url()),
        "your_side": "requester" if is_requester else "organisation",
        "project": {"title": project.title, "url": absolute_url(project.get_absolute_url())},
        "organisation": _organisation(project.organisation),
        "municipality": request.municipality.label,
        "on_behalf_of": _organisation(request.organisation) if is_requester else None,
        "other_side": project.organisation.name if is_requester else request.requester_label,
        "status": request.status,
        "created_at": _when(request.created_at),
        "last_activity_at": _when(request.last_activity_at),
        "you_last_read_at": _when(request.own_reads[0].last_read_at) if request.own_reads else None,
        "status_history": [
            {
                "at": _when(event.created_at),
                "from": event.from_status,
                "to": event.to_status,
                "by": _person(event.actor, user),
                # A note is the private text of whoever wrote it.
                "note": event.note if event.actor_id == user.pk else None,
            }
            for event in request.events.all()
        ],
        "your_messages": [
            {
                "at": _when(message.created_at),
                "text": message.body,
                "hidden_by_moderation": message.is_hidden,
            }
            for message in request.own_messages
        ],
    }


def _person(person: User | None, user: User) -> str | None:
    if person is None:
        return None
    return "you" if person.pk == user.pk else person.public_name


def _message_reports(user: User) -> list[dict[str, Any]]:
    return [
        {
            "conversation": str(report.message.request.public_id),
            "message_at": _when(report.message.created_at),
            "reason": report.reason,
            "created_at": _when(report.created_at),
            "resolved_at": _when(report.resolved_at),
            "resolution": report.resolution,
        }
        for report in MessageReport.objects.filter(reporter=user)
        .select_related("message__request")
        .order_by("created_at", "pk")
    ]


def _articles(user: User) -> list[dict[str, Any]]:
    return [
        {
            "title": article.title,
            "url": absolute_url(article.get_absolute_url()),
            "kind": article.kind,
            "status": article.status,
            "summary": article.summary,
            "text": article.body,
            "licence": article.licence,
            "created_at": _when(article.created_at),
            "published_at": _when(article.published_at),
        }
        for article in Article.objects.filter(author=user).order_by("created_at", "pk")
    ]


def _revisions(user: User) -> list[dict[str, Any]]:
    """Every version of an article the person saved, as it read after their change."""
    return [
        {
            "article_id": revision.id,
            "saved_at": _when(revision.history_date),
            "comment": revision.history_change_reason or "",
            "title": revision.title,
            "summary": revision.summary,
            "text": revision.body,
            "status": revision.status,
        }
        for revision in Article.history.filter(history_user=user).order_by(
            "history_date", "history_id"
        )
    ]


def _proposals(user: User) -> list[dict[str, Any]]:
    return [
        {
            "article": proposal.article.title,
            "url": absolute_url(proposal.article.get_absolute_url()),
            "title": proposal.title,
            "summary": proposal.summary,
            "text": proposal.body,
            "comment": proposal.comment,
            "status": proposal.status,
            "created_at": _when(proposal.created_at),
            "decided_at": _when(proposal.decided_at),
            "decision_note": proposal.decision_note,
        }
        for proposal in EditProposal.objects.filter(proposer=user)
        .select_related("article")
        .order_by("created_at", "pk")
    ]


def _comments(user: User) -> list[dict[str, Any]]:
    # Comments the person deleted are listed too: their text is still stored.
    return [
        {
            "on": comment.subject.title,
            "url": absolute_url(comment.get_absolute_url()),
            "reply": comment.parent_id is not None,
            "text": comment.body,
            "created_at": _when(comment.created_at),
            "edited_at": _when(comment.edited_at),
            "deleted_at": _when(comment.deleted_at),
            "hidden_at": _when(comment.hidden_at),
            "hidden_reason": comment.hidden_reason,
        }
        for comment in Comment.objects.filter(author=user)
        .select_related("article", "project")
        .order_by("created_at", "pk")
    ]


def _comment_reports(user: User) -> list[dict[str, Any]]:
    return [
        {
            "comment_url": absolute_url(report.comment.get_absolute_url()),
            "reason": report.reason,
            "created_at": _when(report.created_at),
            "resolved_at": _when(report.resolved_at),
        }
        for report in CommentReport.objects.filter(reporter=user)
        .select_related("comment__article", "comment__project")
        .order_by("created_at", "pk")
    ]


def _rate_limit_records(user: User) -> list[dict[str, Any]]:
    return [
        {"action": scope, "at": _when(created_at)}
        for scope, created_at in RateLimitHit.objects.filter(client=rate_limit_client(user))
        .order_by("created_at", "pk")
        .values_list("scope", "created_at")
    ]


def personal_data(*, user: User) -> dict[str, Any]:
    """Everything stored about the person, as plain JSON-ready values.

    The number of queries does not grow with the amount of data (see the tests)."""
    addresses = email_addresses_of(user)
    return {
        "format": EXPORT_FORMAT,
        "version": EXPORT_VERSION,
        "exported_at": _when(timezone.now()),
        "account": _account(user),
        "email_addresses": _email_addresses(user),
        "memberships": _memberships(user),
        "membership_requests": _membership_requests(user),
        "invitations_received": _invitations(addresses),
        "invitations_sent": _invitations_sent(user),
        "follows": _follows(user),
        "conversations": _conversations(user),
        "message_reports": _message_reports(user),
        "articles": _articles(user),
        "revisions": _revisions(user),
        "edit_proposals": _proposals(user),
        "comments": _comments(user),
        "comment_reports": _comment_reports(user),
        "rate_limit_records": _rate_limit_records(user),
    }


def moderators() -> list[User]:
    """The active people who moderate: the moderators group and superusers."""
    return list(
        User.objects.filter(
            Q(is_superuser=True) | Q(groups__name=MODERATORS_GROUP), is_active=True
        ).distinct()
    )
