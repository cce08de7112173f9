"""Reads for the catalog. Each returns querysets that cost a fixed number of queries."""

import hashlib
from dataclasses import dataclass, field

from django.core.cache import cache
from django.db.models import Count, F, Prefetch, QuerySet, Sum
from django.db.models.functions import Coalesce
from django.http import Http404, QueryDict
from django.shortcuts import get_object_or_404

from apps.accounts.models import User
from apps.search.selectors import normalise_query, projects_matching

from .cache import catalog_version
from .filters import CatalogFilter, SortOrder
from .models import Project, Site

LIST_RELATIONS = ("municipality", "organisation")


def project_list_queryset() -> QuerySet[Project]:
    return Project.objects.published().select_related(*LIST_RELATIONS).prefetch_related("topics")


@dataclass
class CatalogResult:
    filterset: CatalogFilter
    projects: QuerySet[Project]
    query: str
    sort: str
    invalid_filters: list[str] = field(default_factory=list)


def catalog_search(*, params: QueryDict) -> CatalogResult:
    """Facets, full-text search and sorting of the published projects.

    Unknown filter values are dropped (and reported in invalid_filters), never an error page.
    """
    filterset = CatalogFilter(params, queryset=project_list_queryset())
    invalid = list(filterset.errors) if not filterset.is_valid() else []
    projects = filterset.filter_queryset(filterset.queryset)
    query = normalise_query(filterset.form.cleaned_data.get("q"))
    sort = filterset.form.cleaned_data.get("sort") or ""
    if query:
        projects = projects_matching(projects, query)
    if not sort:
        sort = SortOrder.RELEVANCE if query else SortOrder.NEWEST
    if sort == SortOrder.RELEVANCE and not query:
        sort = SortOrder.NEWEST
    ordering = {
        SortOrder.RELEVANCE: ("-search_rank", "-id"),
        SortOrder.NEWEST: ("-published_at", "-id"),
        SortOrder.MOST_SITES: ("-active_site_count", "-published_at", "-id"),
    }[sort]
    return CatalogResult(
        filterset=filterset,
        projects=projects.order_by(*ordering),
        query=query,
        sort=sort,
        invalid_filters=invalid,
    )


FACET_FIELDS = {
    "topic": ("topics", "slug"),
    "target_group": ("target_groups", "slug"),
    "format": ("transfer_formats", "code"),
}
FACET_COLUMNS = {"state": "municipality__state", "setting": "setting", "readiness": "readiness"}
FACET_CACHE_SECONDS = 600


def _count_facets(projects: QuerySet[Project]) -> dict[str, dict[str, int]]:
    matching = projects.order_by().values("pk")
    counts: dict[str, dict[str, int]] = {}
    for facet, (relation, key) in FACET_FIELDS.items():
        field = Project._meta.get_field(relation)
        term = field.m2m_reverse_field_name()
        rows = (
            field.remote_field.through.objects.filter(project_id__in=matching)
            .values(f"{term}__{key}")
            .annotate(count=Count("project_id"))
        )
        counts[facet] = {row[f"{term}__{key}"]: row["count"] for row in rows}
    for facet, column in FACET_COLUMNS.items():
        rows = projects.order_by().values(column).annotate(count=Count("pk"))
        counts[facet] = {row[column]: row["count"] for row in rows}
    return counts


def facet_counts(*, result: CatalogResult) -> dict[str, dict[str, int]]:
    """How many of the matching projects each facet value has; cached until the next write."""
    # Chosen terms are model instances, which do not sort: key them by their primary key.
    params = sorted(
        (key, str(getattr(value, "pk", value)))
        for key, values in result.filterset.form.cleaned_data.items()
        if key not in {"sort"}
        for value in (values if isinstance(values, list | QuerySet) else [values])
        if value
    )
    digest = hashlib.sha256(repr(params).encode()).hexdigest()[:32]
    key = f"catalog:facets:{catalog_version()}:{digest}"
    counts = cache.get(key)
    if counts is None:
        counts = _count_facets(result.projects)
        cache.set(key, counts, FACET_CACHE_SECONDS)
    return counts


def project_visible_to(*, slug: str, user: User) -> Project:
    """The project with all it shows on its page, or 404 if the user may not see it."""
    sites = Site.objects.select_related("municipality", "organisation", "copied_from__municipality")
    project = get_object_or_404(
        Project.objects.select_related(
            "organisation", "municipality", "created_by"
        ).prefetch_related(
            "topics",
            "target_groups",
            "transfer_formats",
            Prefetch("sites", queryset=sites.order_by(F("started_on").asc(nulls_last=True), "id")),
        ),
        slug=slug,
    )
    if not user.has_perm("catalog.view_project", project):
        raise Http404
    return project


def site_map_points(project: Project) -> list[dict]:
    """The project's sites as plain data for the map script (from the prefetched sites)."""
    return [
        {
            "name": site.municipality.name,
            "lat": site.municipality.latitude,
            "lon": site.municipality.longitude,
            "status": site.status,
            "status_label": str(site.get_status_display()),
            "operator": site.operator,
            "since": site.started_on.year if site.started_on else None,
            "origin": site.is_origin,
        }
        for site in project.sites.all()
    ]


def moderation_queue() -> QuerySet[Project]:
    return (
        Project.objects.pending()
        .select_related(*LIST_RELATIONS, "created_by")
        .order_by("created_at")
    )


def projects_of_organisation(*, organisation, include_unpublished: bool) -> QuerySet[Project]:
    projects = organisation.projects.select_related("municipality").prefetch_related("topics")
    if not include_unpublished:
        projects = projects.published()
    return projects.order_by("title")


def catalog_totals() -> dict:
    return Project.objects.published().aggregate(
        projects=Count("id"), sites=Coalesce(Sum("active_site_count"), 0)
    )
