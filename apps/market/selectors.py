"""Reads for the market: the offers, the requests each person sees, unread counts."""

import datetime
from dataclasses import dataclass, field

from django.db.models import (
    Count,
    DateTimeField,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce, Greatest
from django.http import Http404, QueryDict
from django.utils import timezone

from apps.accounts.models import User
from apps.catalog.models import Project
from apps.search.selectors import normalise_query, projects_matching

from .filters import MarketFilter, MarketSort, RequestFilter
from .models import (
    ConversationRead,
    InterestRequest,
    Message,
    MessageReport,
    RequestStatus,
    TransferOffer,
)


def year_start() -> datetime.date:
    return timezone.localdate().replace(month=1, day=1)


def _sites_started_this_year() -> Coalesce:
    # A subquery per offer, not a join with GROUP BY: a page of 20 offers then counts the sites
    # of those 20, not of every open offer (18,000 of them in a catalog of 100,000 projects).
    started = (
        InterestRequest.objects.filter(
            offer=OuterRef("pk"),
            status=RequestStatus.SITE_STARTED,
            site__started_on__gte=year_start(),
        )
        .order_by()
        .values("offer")
        .annotate(count=Count("pk"))
        .values("count")
    )
    return Coalesce(Subquery(started), Value(0))


def with_capacity(offers: QuerySet[TransferOffer]) -> QuerySet[TransferOffer]:
    """Annotate capacity_left: the new sites the offer can still take this year."""
    return offers.annotate(sites_this_year=_sites_started_this_year()).annotate(
        capacity_left=Greatest(F("capacity_per_year") - F("sites_this_year"), Value(0))
    )


def capacity_left(offer: TransferOffer) -> int:
    return with_capacity(TransferOffer.objects.filter(pk=offer.pk)).values_list(
        "capacity_left", flat=True
    )[0]


# Offers ---------------------------------------------------------------------------------------


@dataclass
class MarketResult:
    filterset: MarketFilter
    offers: QuerySet[TransferOffer]
    query: str
    invalid_filters: list[str] = field(default_factory=list)


def market_search(*, params: QueryDict) -> MarketResult:
    """The open offers, narrowed by the catalog's facets on their projects and by what the
    offers give; unknown filter values are dropped and reported, never an error page."""
    filterset = MarketFilter(params, queryset=Project.objects.published())
    invalid = list(filterset.errors) if not filterset.is_valid() else []
    data = filterset.form.cleaned_data
    projects = filterset.filter_queryset(filterset.queryset)
    query = normalise_query(data.get("q"))
    if query:
        projects = projects_matching(projects, query)
    offers = with_capacity(
        TransferOffer.objects.open()
        .filter(project__in=projects.values("pk"))
        .select_related("project__municipality", "project__organisation")
        .prefetch_related("components", "project__topics")
    )
    for component in data.get("component") or []:
        offers = offers.filter(components=component)
    if data.get("capacity"):
        offers = offers.filter(capacity_left__gt=0)
    ordering = {
        MarketSort.NEWEST: ("-published_at", "-id"),
        MarketSort.CAPACITY: ("-capacity_left", "-published_at", "-id"),
        MarketSort.EFFORT: ("people_needed", "budget_eur", "-id"),
    }[data.get("sort") or MarketSort.NEWEST]
    return MarketResult(
        filterset=filterset,
        offers=offers.order_by(*ordering),
        query=query,
        invalid_filters=invalid,
    )


def offer_for_project(*, slug: str) -> TransferOffer:
    offers = with_capacity(
        TransferOffer.objects.select_related(
            "project__organisation", "project__municipality"
        ).prefetch_related("components")
    )
    offer = offers.filter(project__slug=slug).first()
    if offer is None:
        raise Http404
    return offer


def offer_started_sites(offer: TransferOffer) -> QuerySet[InterestRequest]:
    return (
        offer.requests.filter(status=RequestStatus.SITE_STARTED)
        .select_related("municipality", "organisation", "site")
        .order_by("-last_activity_at")
    )


# Requests -------------------------------------------------------------------------------------


def _requests_seen_by(user: User) -> QuerySet[InterestRequest]:
    """Requests the person sent or received through one of their organisations; the subquery
    keeps a person in several organisations from seeing a request twice."""
    seen = Q(requester=user) | Q(offer__project__organisation__memberships__user=user)
    return InterestRequest.objects.filter(pk__in=InterestRequest.objects.filter(seen).values("pk"))


def _unread_messages(user: User) -> Subquery:
    read_until = ConversationRead.objects.filter(request=OuterRef("request"), user=user).values(
        "last_read_at"
    )[:1]
    epoch = Value(datetime.datetime(1970, 1, 1, tzinfo=datetime.UTC), DateTimeField())
    return (
        Message.objects.filter(request=OuterRef("pk"))
        .exclude(author=user)
        .filter(created_at__gt=Coalesce(Subquery(read_until), epoch))
        .values("request")
        .annotate(count=Count("pk"))
        .values("count")
    )


def with_unread(requests: QuerySet[InterestRequest], user: User) -> QuerySet[InterestRequest]:
    return requests.annotate(
        unread=Coalesce(Subquery(_unread_messages(user), output_field=IntegerField()), 0)
    )


@dataclass
class RequestList:
    filterset: RequestFilter
    requests: QuerySet[InterestRequest]


def requests_of(*, user: User, params: QueryDict) -> RequestList:
    """Requests the person sent or received through an organisation, newest activity first."""
    requests = _requests_seen_by(user)
    filterset = RequestFilter(params, queryset=requests, user=user)
    filterset.is_valid()
    requests = with_unread(filterset.filter_queryset(requests), user).select_related(
        "offer__project__organisation", "municipality", "requester", "organisation"
    )
    return RequestList(filterset=filterset, requests=requests.order_by("-last_activity_at"))


def unread_total(*, user: User) -> int:
    requests = _requests_seen_by(user)
    return with_unread(requests, user).aggregate(total=Coalesce(Sum("unread"), 0))["total"]


def request_by_public_id(*, public_id) -> InterestRequest:
    request = (
        InterestRequest.objects.select_related(
            "offer__project__organisation",
            "offer__project__municipality",
            "municipality",
            "requester",
            "organisation",
            "site",
        )
        .filter(public_id=public_id)
        .first()
    )
    if request is None:
        raise Http404
    return request


def conversation_messages(request: InterestRequest) -> QuerySet[Message]:
    return request.messages.select_related("author").annotate(
        reported=Exists(MessageReport.objects.filter(message=OuterRef("pk"), resolved_at=None))
    )


def request_history(request: InterestRequest):
    return request.events.select_related("actor")


def open_reports() -> QuerySet[MessageReport]:
    return (
        MessageReport.objects.filter(resolved_at=None)
        .select_related("message__author", "message__request__offer__project", "reporter")
        .order_by("created_at")
    )
