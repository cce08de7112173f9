"""Who may do what in the market. A conversation is private to its two sides; moderators see
it only while one of its messages is reported."""

import rules

from apps.accounts.rules import is_moderator
from apps.catalog.rules import is_project_member
from apps.organisations.rules import is_organisation_member


@rules.predicate
def is_offer_team(user, offer) -> bool:
    return offer is not None and is_project_member(user, offer.project)


@rules.predicate
def is_open_offer(user, offer) -> bool:
    return offer is not None and offer.is_open


@rules.predicate
def is_requester(user, request) -> bool:
    return request is not None and user.is_authenticated and request.requester_id == user.pk


@rules.predicate
def is_mother_team(user, request) -> bool:
    return request is not None and is_organisation_member(user, request.offer.project.organisation)


@rules.predicate
def has_open_report(user, request) -> bool:
    """A participant has reported a message and the moderation has not dealt with it yet."""
    from django.db.models import Q

    from .models import MessageReport

    by_participant = Q(reporter_id=request.requester_id) | Q(
        reporter__memberships__organisation_id=request.offer.project.organisation_id
    )
    return (
        MessageReport.objects.filter(message__request=request, resolved_at=None)
        .filter(by_participant)
        .exists()
    )


is_party = is_requester | is_mother_team

rules.add_perm("market.view_offer", is_open_offer | is_offer_team | is_moderator)
rules.add_perm("market.change_offer", is_offer_team | is_moderator)
rules.add_perm("market.add_offer", is_project_member | is_moderator)
rules.add_perm("market.request_interest", rules.is_authenticated & is_open_offer & ~is_offer_team)
rules.add_perm("market.view_request", is_party | (is_moderator & has_open_report))
rules.add_perm("market.take_part_in_request", is_party)
rules.add_perm("market.moderate_reports", is_moderator)
