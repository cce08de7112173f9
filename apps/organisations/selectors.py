"""Reads for organisations."""

from dataclasses import dataclass

from django.db.models import Count, IntegerField, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404

from apps.accounts.models import User

from .models import Follow, Invitation, Membership, MembershipRequest, Organisation


def organisations_of(*, user: User) -> QuerySet[Organisation]:
    return Organisation.objects.filter(memberships__user=user).order_by("name")


def memberships_of(*, user: User) -> QuerySet[Membership]:
    return (
        Membership.objects.filter(user=user)
        .select_related("organisation")
        .order_by("organisation__name")
    )


def _count_per_organisation(model) -> Coalesce:
    counted = (
        model.objects.filter(organisation=OuterRef("pk"))
        .order_by()
        .values("organisation")
        .annotate(count=Count("pk"))
        .values("count")
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def organisation_for_page(*, slug: str) -> Organisation:
    """The organisation with its member and follower counts (member_count, follower_count)."""
    return get_object_or_404(
        Organisation.objects.select_related("municipality").annotate(
            member_count=_count_per_organisation(Membership),
            follower_count=_count_per_organisation(Follow),
        ),
        slug=slug,
    )


@dataclass(frozen=True)
class Relation:
    """How one person relates to an organisation, for what its page offers them."""

    role: str | None = None
    is_following: bool = False
    has_pending_request: bool = False

    @property
    def is_member(self) -> bool:
        return self.role is not None


def relation_of(*, user: User, organisation: Organisation) -> Relation:
    if not user.is_authenticated:
        return Relation()
    membership = organisation.memberships.filter(user=user).values_list("role", flat=True)
    follows = organisation.follows.filter(user=user).values_list("pk", flat=True)
    pending = organisation.membership_requests.filter(
        user=user, status=MembershipRequest.Status.PENDING
    ).values_list("pk", flat=True)
    # One query for all three answers.
    row = (
        Organisation.objects.filter(pk=organisation.pk)
        .annotate(
            viewer_role=Subquery(membership[:1]),
            viewer_follow=Subquery(follows[:1]),
            viewer_request=Subquery(pending[:1]),
        )
        .values("viewer_role", "viewer_follow", "viewer_request")
        .get()
    )
    return Relation(
        role=row["viewer_role"],
        is_following=row["viewer_follow"] is not None,
        has_pending_request=row["viewer_request"] is not None,
    )


def members_of(*, organisation: Organisation) -> QuerySet[Membership]:
    return organisation.memberships.select_related("user").order_by("role", "user__email")


def pending_membership_requests_of(*, organisation: Organisation) -> QuerySet[MembershipRequest]:
    return organisation.membership_requests.filter(
        status=MembershipRequest.Status.PENDING
    ).select_related("user")


def pending_membership_request_of(
    *, organisation: Organisation, user: User
) -> MembershipRequest | None:
    return organisation.membership_requests.filter(
        user=user, status=MembershipRequest.Status.PENDING
    ).first()


def open_invitations_of(*, organisation: Organisation) -> QuerySet[Invitation]:
    return organisation.invitations.filter(accepted_at=None).order_by("-created_at")
