"""Reads for the spread of ideas: one project's spread, the platform's, and "not yet here".

A project's spread is computed from its own sites, which its page has prefetched anyway (a
project has tens of sites, not thousands). Platform figures are aggregate queries over all
published projects, never a loop over their rows; they are kept in the shared cache until the
next write to the catalog.
"""

import datetime
import hashlib
from collections import defaultdict
from dataclasses import dataclass

from django.core.cache import cache
from django.core.paginator import Page, Paginator
from django.db import connection
from django.db.models import (
    Case,
    Count,
    Exists,
    ExpressionWrapper,
    F,
    FloatField,
    IntegerField,
    Max,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Cast, Coalesce, ExtractMonth, ExtractYear, Floor
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.catalog.cache import catalog_version
from apps.catalog.models import Project, Setting, Site, Topic
from apps.places.geo import BoundingBox, haversine_km
from apps.places.models import (
    Municipality,
    SettlementType,
    municipality_label,
    state_name,
)

from . import charts, figures

OUTLINE_KEY = "spread:outline:v1"
# Municipalities hardly ever change; a place a moderator adds shows in the outline a day later.
OUTLINE_SECONDS = 24 * 60 * 60
PLATFORM_SECONDS = 60 * 60  # besides: every write to the catalog makes a new key
RANKING_LENGTH = 10
NOT_YET_HERE_PAGE_SIZE = 20
TIMELINE_STATUSES = (Site.Status.ACTIVE, Site.Status.ENDED)


@dataclass(frozen=True)
class Outline:
    path: str
    width: float = charts.MAP_WIDTH
    height: float = charts.MAP_HEIGHT


def germany_outline() -> Outline:
    """The small maps' background: an SVG path of the grid cells that hold any municipality,
    the shape of Germany drawn from our own data, computed once for all processes (shared
    cache)."""
    path = cache.get(OUTLINE_KEY)
    if path is None:
        cells = (
            Municipality.objects.order_by()
            .annotate(
                row=Floor(F("latitude") / charts.CELL_DEGREES),
                column=Floor(F("longitude") / charts.CELL_DEGREES),
            )
            .values_list("row", "column")
            .distinct()
        )
        path = charts.cells_path((int(row), int(column)) for row, column in cells)
        cache.set(OUTLINE_KEY, path, OUTLINE_SECONDS)
    return Outline(path)


def _span_text(span: figures.Span) -> str:
    if span.end is None:
        return _("since %(year)s") % {"year": span.start}
    if span.end == span.start:
        return str(span.start)
    return f"{span.start}–{span.end}"


# One project ------------------------------------------------------------------------------------


@dataclass
class ProjectSpread:
    active_sites: int
    municipalities: int
    state_codes: list[str]
    years: list[figures.YearCount]
    chart: charts.BarChart | None
    first_copy_months: int | None
    tree: list[figures.TreeNode]
    panels: list[charts.Panel]
    map_data: dict
    not_on_map: int  # planned sites and sites without a start date

    @property
    def states(self) -> list[str]:
        return sorted(state_name(code) for code in self.state_codes)

    @property
    def tree_items(self) -> list[figures.TreeItem]:
        return figures.tree_items(self.tree)

    @property
    def generations(self) -> list[tuple[int, int]]:
        return figures.generation_counts(self.tree)

    @property
    def generation_count(self) -> int:
        return max((generation for generation, _count in self.generations), default=0)

    @property
    def first_copy_text(self) -> str:
        if self.first_copy_months is None:
            return ""
        return figures.duration_text(self.first_copy_months)


def project_spread(project: Project, *, today: datetime.date | None = None) -> ProjectSpread:
    """Figures, tree, small maps and map data of one project, from its prefetched sites
    (catalog.selectors.project_visible_to loads them with their municipalities)."""
    today = today or timezone.localdate()
    sites = list(project.sites.all())
    active = [site for site in sites if site.status == Site.Status.ACTIVE]
    on_map = []
    for site in sites:
        span = figures.site_span(
            status=site.status, started_on=site.started_on, ended_on=site.ended_on, today=today
        )
        if span is not None:
            on_map.append((site, span))

    counts: dict[int, tuple[int, int]] = {}
    for site, span in on_map:
        total, copies = counts.get(span.start, (0, 0))
        counts[span.start] = (total + 1, copies + (not site.is_origin))
    first_year = min((span.start for _site, span in on_map), default=None)
    years = figures.year_counts(counts, first_year=first_year, last_year=today.year)

    origin = next((site for site in sites if site.is_origin), None)
    founded = (
        origin.started_on
        if origin and origin.started_on
        else datetime.date(project.founded_year, 1, 1)
    )
    first_copy = min(
        (site.started_on for site, _span in on_map if not site.is_origin), default=None
    )
    first_copy_months = max(0, figures.months_between(founded, first_copy)) if first_copy else None

    periods = figures.periods(first_year, today.year) if first_year else []
    panels = charts.site_panels(
        [(span, site.municipality.latitude, site.municipality.longitude) for site, span in on_map],
        periods,
    )
    map_data = {
        "first_year": first_year or today.year,
        "last_year": today.year,
        "points": [
            [
                round(site.municipality.latitude, 4),
                round(site.municipality.longitude, 4),
                span.start,
                span.end,
                f"{site.municipality.label}: {_span_text(span)}",
                1,
                int(site.is_origin),
            ]
            for site, span in on_map
        ],
    }
    return ProjectSpread(
        active_sites=len(active),
        municipalities=len({site.municipality_id for site in active}),
        state_codes=sorted({site.municipality.state for site in active}),
        years=years,
        chart=charts.bar_chart(years),
        first_copy_months=first_copy_months,
        tree=figures.family_tree(sites),
        panels=panels,
        map_data=map_data,
        not_on_map=len(sites) - len(on_map),
    )


# The whole platform ------------------------------------------------------------------------------


@dataclass(frozen=True)
class SpreadFilters:
    topic: Topic | None = None
    state: str = ""

    @property
    def key(self) -> str:
        raw = f"{self.topic.slug if self.topic else ''}|{self.state}"
        return hashlib.sha256(raw.encode()).hexdigest()[:24]

    @property
    def state_name(self) -> str:
        return state_name(self.state) if self.state else ""


@dataclass(frozen=True)
class RankedProject:
    title: str
    slug: str
    count: int  # what it is ranked by
    active_sites: int


@dataclass
class PlatformSpread:
    """Language-neutral, so that one cached copy serves German and English pages."""

    projects: int
    active_sites: int
    municipalities: int
    states: int
    years: list[figures.YearCount]
    chart: charts.BarChart | None
    first_copy_months: float | None
    copied_projects: int
    fastest: list[RankedProject]
    fastest_since: int
    rural: list[RankedProject]
    panels: list[charts.Panel]
    legend: list[charts.LegendEntry]
    first_year: int | None
    last_year: int

    @property
    def first_copy_text(self) -> str:
        if self.first_copy_months is None:
            return ""
        return figures.duration_text(self.first_copy_months)


def _sites(filters: SpreadFilters) -> QuerySet[Site]:
    """Sites of published projects; a topic narrows the projects, a state the sites."""
    sites = Site.objects.filter(project__status=Project.Status.PUBLISHED)
    if filters.topic is not None:
        sites = sites.filter(project__topics=filters.topic)
    if filters.state:
        sites = sites.filter(municipality__state=filters.state)
    return sites.order_by()


def _on_timeline(sites: QuerySet[Site], today: datetime.date) -> QuerySet[Site]:
    """The sites figures.site_span puts on the map, in SQL."""
    return sites.filter(
        status__in=TIMELINE_STATUSES, started_on__isnull=False, started_on__lte=today
    )


# The last year a site ran, like figures.site_span (only for sites that ended).
LAST_YEAR = Coalesce(ExtractYear("ended_on"), ExtractYear("started_on"))
ENDED = Q(ended_on__isnull=False) | Q(status=Site.Status.ENDED)


def _first_copy_months(filters: SpreadFilters, today: datetime.date) -> dict[int, int]:
    """{months from founding to the first copy: number of projects}.

    One pass over the sites: the inner query groups them by project (origin's start, earliest
    copy, founding year), the outer one counts the projects per number of months. Django has no
    aggregate over an aggregate, so the outer query wraps the compiled inner one; correlated
    subqueries per project instead cost seconds at 100,000 projects on PostgreSQL.
    """
    copy = Q(
        is_origin=False,
        status__in=TIMELINE_STATUSES,
        started_on__isnull=False,
        started_on__lte=today,
    )
    if filters.state:
        copy &= Q(municipality__state=filters.state)
    sites = Site.objects.filter(project__status=Project.Status.PUBLISHED)
    if filters.topic is not None:
        sites = sites.filter(project__topics=filters.topic)
    per_project = (
        sites.filter(Q(is_origin=True) | copy)
        .order_by()
        .values("project")
        .annotate(
            first_copy=Min("started_on", filter=Q(is_origin=False)),
            origin_start=Min("started_on", filter=Q(is_origin=True)),
            founded=Max("project__founded_year"),
        )
        .filter(first_copy__isnull=False)
        .annotate(
            months=ExpressionWrapper(
                (
                    ExtractYear("first_copy")
                    - Coalesce(
                        ExtractYear("origin_start"), F("founded"), output_field=IntegerField()
                    )
                )
                * 12
                + ExtractMonth("first_copy")
                - Coalesce(ExtractMonth("origin_start"), Value(1), output_field=IntegerField()),
                output_field=IntegerField(),
            )
        )
        .values("months")
    )
    inner, params = per_project.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(
            f'SELECT "months", COUNT(*) FROM ({inner}) first_copies GROUP BY "months"', params
        )
        rows = cursor.fetchall()
    histogram: dict[int, int] = defaultdict(int)
    for months, projects in rows:
        histogram[max(0, int(months))] += projects
    return dict(histogram)


def _ranked(rows: QuerySet, projects: dict[int, dict]) -> list[RankedProject]:
    return [
        RankedProject(
            title=projects[row["project"]]["title"],
            slug=projects[row["project"]]["slug"],
            count=row["count"],
            active_sites=projects[row["project"]]["active_site_count"],
        )
        for row in rows
        if row["project"] in projects
    ]


def _cell_rows(sites: QuerySet[Site], year) -> list[tuple[charts.Cell, int, int, int]]:
    """(grid cell, year, sites, of them copies): one GROUP BY over the sites."""
    rows = (
        sites.annotate(
            row=Floor(F("municipality__latitude") / charts.CELL_DEGREES),
            column=Floor(F("municipality__longitude") / charts.CELL_DEGREES),
            year=year,
        )
        .values("row", "column", "year")
        .annotate(count=Count("pk"), copies=Count("pk", filter=Q(is_origin=False)))
    )
    return [((int(r["row"]), int(r["column"])), r["year"], r["count"], r["copies"]) for r in rows]


def _compute_platform_spread(filters: SpreadFilters, today: datetime.date) -> PlatformSpread:
    sites = _sites(filters)
    timeline = _on_timeline(sites, today)
    active = Q(status=Site.Status.ACTIVE)
    totals = sites.aggregate(
        projects=Count("project", distinct=True),
        active_sites=Count("pk", filter=active),
        municipalities=Count("municipality", distinct=True, filter=active),
        states=Count("municipality__state", distinct=True, filter=active),
    )

    # Sites started per grid cell and year: the small maps, and summed up, the bar chart.
    started = _cell_rows(timeline, ExtractYear("started_on"))
    counts: dict[int, tuple[int, int]] = {}
    for _cell, year, total, copies in started:
        before = counts.get(year, (0, 0))
        counts[year] = (before[0] + total, before[1] + copies)
    first_year = min(counts, default=None)
    years = figures.year_counts(counts, first_year=first_year, last_year=today.year)

    histogram = _first_copy_months(filters, today)

    fastest_since = today.year - figures.RECENT_YEARS + 1
    fastest = (
        timeline.filter(is_origin=False, started_on__gte=datetime.date(fastest_since, 1, 1))
        .values("project")
        .annotate(count=Count("pk"))
        .order_by("-count", "-project__active_site_count", "project")[:RANKING_LENGTH]
    )
    rural = (
        sites.filter(active, municipality__settlement_type__in=SettlementType.rural_values())
        .values("project")
        .annotate(count=Count("pk"))
        .order_by("-count", "-project__active_site_count", "project")[:RANKING_LENGTH]
    )
    fastest, rural = list(fastest), list(rural)
    ids = {row["project"] for row in fastest + rural}
    projects = {
        row["pk"]: row
        for row in Project.objects.filter(pk__in=ids).values(
            "pk", "title", "slug", "active_site_count"
        )
    }

    periods = figures.periods(first_year, today.year) if first_year else []
    ended = _cell_rows(timeline.filter(ENDED), LAST_YEAR)
    panels, legend = charts.density_panels(
        [(cell, year, total) for cell, year, total, _copies in started],
        [(cell, year, total) for cell, year, total, _copies in ended],
        periods,
    )
    return PlatformSpread(
        projects=totals["projects"],
        active_sites=totals["active_sites"],
        municipalities=totals["municipalities"],
        states=totals["states"],
        years=years,
        chart=charts.bar_chart(years),
        first_copy_months=figures.median(histogram),
        copied_projects=sum(histogram.values()),
        fastest=_ranked(fastest, projects),
        fastest_since=fastest_since,
        rural=_ranked(rural, projects),
        panels=panels,
        legend=legend,
        first_year=first_year,
        last_year=today.year,
    )


def _platform_key(kind: str, filters: SpreadFilters, today: datetime.date) -> str:
    return f"spread:{kind}:{catalog_version()}:{today.isoformat()}:{filters.key}"


def platform_spread(
    *, filters: SpreadFilters, today: datetime.date | None = None
) -> PlatformSpread:
    """The spread of all published projects (narrowed by the filters), from the shared cache
    until the next write to the catalog."""
    today = today or timezone.localdate()
    key = _platform_key("platform", filters, today)
    spread = cache.get(key)
    if spread is None:
        spread = _compute_platform_spread(filters, today)
        cache.set(key, spread, PLATFORM_SECONDS)
    return spread


def platform_map_data(*, filters: SpreadFilters, today: datetime.date | None = None) -> dict:
    """One point per municipality reached, for the map over time: when its first site started,
    the last year a site ran there (None while one still runs), its name and active sites now.
    The same format as a project's map data, with the place's name instead of a label."""
    today = today or timezone.localdate()
    key = _platform_key("places", filters, today)
    data = cache.get(key)
    if data is None:
        rows = (
            _on_timeline(_sites(filters), today)
            .values("municipality")
            .annotate(
                first=Min(ExtractYear("started_on")),
                last=Max(LAST_YEAR),
                running=Count("pk", filter=Q(status=Site.Status.ACTIVE, ended_on__isnull=True)),
                active=Count("pk", filter=Q(status=Site.Status.ACTIVE)),
            )
            .values_list(
                "municipality__latitude",
                "municipality__longitude",
                "first",
                "last",
                "running",
                "active",
                "municipality__name",
            )
        )
        # Two decimals (about 1 km) and the bare name keep 12,000 places to a few hundred kB.
        points = [
            [round(lat, 2), round(lon, 2), first, None if running else last, name, active]
            for lat, lon, first, last, running, active, name in rows
        ]
        data = {
            "first_year": min((point[2] for point in points), default=today.year),
            "last_year": today.year,
            "points": points,
        }
        cache.set(key, data, PLATFORM_SECONDS)
    return data


# Not yet here ------------------------------------------------------------------------------------


@dataclass
class Candidate:
    """A project that runs elsewhere, with why it suits the municipality."""

    project: Project
    same_setting: bool
    same_size_sites: int
    nearest_site: str = ""
    distance_km: float | None = None

    @property
    def active_sites(self) -> int:
        return self.project.active_site_count


@dataclass
class NotYetHere:
    municipality: Municipality
    min_sites: int
    radius_km: int
    page: Page

    @property
    def candidates(self) -> list[Candidate]:
        return list(self.page.object_list)


class _CandidatePage(Paginator):
    """Pages of projects, handed out as Candidates with their nearest site (one query)."""

    def __init__(self, *args, municipality: Municipality, **kwargs):
        self.municipality = municipality
        super().__init__(*args, **kwargs)

    def _get_page(self, object_list, number, paginator):
        projects = list(object_list)
        nearest = _nearest_sites(self.municipality, [project.pk for project in projects])
        candidates = []
        for project in projects:
            place, distance = nearest.get(project.pk, ("", None))
            candidates.append(
                Candidate(
                    project=project,
                    same_setting=bool(project.same_setting),
                    same_size_sites=project.same_size_sites,
                    nearest_site=place,
                    distance_km=distance,
                )
            )
        return Page(candidates, number, paginator)


def _nearest_sites(
    municipality: Municipality, project_ids: list[int]
) -> dict[int, tuple[str, float]]:
    """{project id: (label of its nearest active site, distance in km)} for one page."""
    nearest: dict[int, tuple[str, float]] = {}
    rows = Site.objects.filter(project_id__in=project_ids, status=Site.Status.ACTIVE).values_list(
        "project_id",
        "municipality__name",
        "municipality__state",
        "municipality__latitude",
        "municipality__longitude",
    )
    for project_id, name, state, latitude, longitude in rows:
        distance = haversine_km(municipality.latitude, municipality.longitude, latitude, longitude)
        if project_id not in nearest or distance < nearest[project_id][1]:
            nearest[project_id] = (municipality_label(name, state), distance)
    return nearest


def not_yet_here(
    *, municipality: Municipality, min_sites: int, radius_km: int, page_number: str | int = 1
) -> NotYetHere:
    """Published projects with at least min_sites active sites and none within radius_km of
    the municipality, best fit first.

    Fit is the one "Match my problem" uses: half for a setting that suits the place (rural,
    urban or both against whether the municipality is rural), half for the share of active sites
    in places of the municipality's size class; then more active sites first.

    The distance test: SQL finds the projects with an active site inside the bounding box of
    the circle; of those, the exact distance (haversine) in Python keeps the ones whose sites
    in the box all lie in its corners, outside the circle. So Python only sees the sites of one
    box, and the query only carries the ids of those corner-only projects.
    """
    box = BoundingBox.around(municipality.latitude, municipality.longitude, radius_km)
    # The places in the box first (12,000 rows at most), then their sites by index.
    places_in_box = Municipality.objects.filter(**box.as_lookup()).values("pk")
    in_box = Site.objects.filter(status=Site.Status.ACTIVE, municipality__in=places_in_box)
    box_rows = in_box.filter(
        project__status=Project.Status.PUBLISHED, project__active_site_count__gte=min_sites
    ).values_list("project_id", "municipality__latitude", "municipality__longitude")
    boxed: set[int] = set()
    near: set[int] = set()
    for project_id, latitude, longitude in box_rows:
        boxed.add(project_id)
        if project_id not in near and (
            haversine_km(municipality.latitude, municipality.longitude, latitude, longitude)
            <= radius_km
        ):
            near.add(project_id)
    corners_only = boxed - near

    rural = municipality.is_rural
    same_size = (
        Site.objects.filter(
            project=OuterRef("pk"),
            status=Site.Status.ACTIVE,
            municipality__settlement_type=municipality.settlement_type,
        )
        .order_by()
        .values("project")
        .annotate(count=Count("pk"))
        .values("count")
    )
    projects = (
        Project.objects.published()
        .filter(active_site_count__gte=min_sites)
        .filter(~Exists(in_box.filter(project=OuterRef("pk"))) | Q(pk__in=corners_only))
        .annotate(
            same_setting=Case(
                When(setting=Setting.BOTH, then=Value(1)),
                When(setting=Setting.RURAL if rural else Setting.URBAN, then=Value(1)),
                default=Value(0),
                output_field=IntegerField(),
            ),
            same_size_sites=Coalesce(Subquery(same_size, output_field=IntegerField()), 0),
        )
        .annotate(
            fit=ExpressionWrapper(
                Value(0.5) * Cast("same_setting", FloatField())
                + Value(0.5)
                * Cast("same_size_sites", FloatField())
                / Cast("active_site_count", FloatField()),
                output_field=FloatField(),
            )
        )
        .order_by("-fit", "-active_site_count", "title", "pk")
    )
    paginator = _CandidatePage(
        projects, NOT_YET_HERE_PAGE_SIZE, municipality=municipality, allow_empty_first_page=True
    )
    return NotYetHere(
        municipality=municipality,
        min_sites=min_sites,
        radius_km=radius_km,
        page=paginator.get_page(page_number),
    )
