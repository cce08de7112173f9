"""Reads for the open API: published data only, each list at a fixed number of queries.

Every selector returns an ordered queryset, so that limit/offset pages are stable.
"""

from collections.abc import Collection

from django.db.models import Count, F, IntegerField, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404

from apps.catalog.models import Project, Site
from apps.catalog.selectors import project_list_queryset
from apps.market.models import TransferOffer
from apps.market.selectors import with_capacity
from apps.organisations.models import Organisation
from apps.search.selectors import normalise_query, projects_matching

PUBLISHED = Project.Status.PUBLISHED


def _projects_with_terms(relation: str, key: str, values: Collection[str]) -> QuerySet:
    """Ids of the projects holding any of the terms, as a subquery: no row is repeated."""
    field = Project._meta.get_field(relation)
    term = field.m2m_reverse_field_name()
    through = field.remote_field.through
    return through.objects.filter(**{f"{term}__{key}__in": list(values)}).values("project_id")


def api_projects(
    *,
    topics: Collection[str] = (),
    target_groups: Collection[str] = (),
    transfer_formats: Collection[str] = (),
    states: Collection[str] = (),
    settings: Collection[str] = (),
    readiness: Collection[str] = (),
    query: str = "",
) -> QuerySet[Project]:
    """The published projects, newest first, or best match first when there is a query.

    Within one filter the values are alternatives (any of them); the filters combine (all).
    """
    projects = project_list_queryset().prefetch_related("target_groups", "transfer_formats")
    if topics:
        projects = projects.filter(pk__in=_projects_with_terms("topics", "slug", topics))
    if target_groups:
        projects = projects.filter(
            pk__in=_projects_with_terms("target_groups", "slug", target_groups)
        )
    if transfer_formats:
        projects = projects.filter(
            pk__in=_projects_with_terms("transfer_formats", "code", transfer_formats)
        )
    if states:
        projects = projects.filter(municipality__state__in=states)
    if settings:
        projects = projects.filter(setting__in=settings)
    if readiness:
        projects = projects.filter(readiness__in=readiness)
    query = normalise_query(query)
    if query:
        return projects_matching(projects, query).order_by("-search_rank", "-id")
    return projects.order_by(F("published_at").desc(nulls_last=True), "-id")


def api_project(*, slug: str) -> Project:
    """A published project by its slug, or 404."""
    return get_object_or_404(Project.objects.published(), slug=slug)


def _sites() -> QuerySet[Site]:
    return Site.objects.filter(project__status=PUBLISHED).select_related(
        "project", "municipality", "organisation"
    )


def api_sites(*, statuses: Collection[str] = (), states: Collection[str] = ()) -> QuerySet[Site]:
    """The sites of all published projects, oldest record first."""
    sites = _sites()
    if statuses:
        sites = sites.filter(status__in=statuses)
    if states:
        sites = sites.filter(municipality__state__in=states)
    return sites.order_by("id")


def api_sites_of(*, project: Project) -> QuerySet[Site]:
    """The sites of one project in the order of its page: by start, undated ones last."""
    return _sites().filter(project=project).order_by(F("started_on").asc(nulls_last=True), "id")


def _published_project_count() -> Coalesce:
    counted = (
        Project.objects.published()
        .filter(organisation=OuterRef("pk"))
        .order_by()
        .values("organisation")
        .annotate(count=Count("pk"))
        .values("count")
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def api_organisations(
    *, kinds: Collection[str] = (), states: Collection[str] = ()
) -> QuerySet[Organisation]:
    """All organisations by name, each with the number of its published projects."""
    organisations = Organisation.objects.select_related("municipality").annotate(
        project_count=_published_project_count()
    )
    if kinds:
        organisations = organisations.filter(kind__in=kinds)
    if states:
        organisations = organisations.filter(municipality__state__in=states)
    return organisations.order_by("name", "id")


def api_offers(
    *,
    topics: Collection[str] = (),
    components: Collection[str] = (),
    settings: Collection[str] = (),
    states: Collection[str] = (),
    has_capacity: bool | None = None,
) -> QuerySet[TransferOffer]:
    """The open offers of published projects, newest first, with capacity_left."""
    offers = TransferOffer.objects.open()
    # Filters through other tables are subqueries: a join would inflate the capacity count.
    if topics:
        offers = offers.filter(project__in=_projects_with_terms("topics", "slug", topics))
    if components:
        through = TransferOffer.components.through
        offers = offers.filter(
            pk__in=through.objects.filter(offercomponent__code__in=list(components)).values(
                "transferoffer_id"
            )
        )
    if settings:
        offers = offers.filter(setting__in=settings)
    if states:
        offers = offers.filter(project__municipality__state__in=states)
    offers = with_capacity(
        offers.select_related("project__organisation", "project__municipality").prefetch_related(
            "components"
        )
    )
    if has_capacity is True:
        offers = offers.filter(capacity_left__gt=0)
    elif has_capacity is False:
        offers = offers.filter(capacity_left=0)
    return offers.order_by(F("published_at").desc(nulls_last=True), "-id")
