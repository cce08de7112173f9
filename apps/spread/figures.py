"""The arithmetic of spread: when a site is on the map, family trees, medians and durations.

Plain functions over plain values, so that each rule is stated once and can be tested without a
database. The selectors apply the same rules in SQL where they aggregate many rows.
"""

import datetime
import math
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from apps.catalog.models import Site

# The year-by-year view draws at most this many small maps; longer histories get periods.
MAX_PANELS = 12
# "Fastest spreading": copies started in this many calendar years, the current one included.
RECENT_YEARS = 5


@dataclass(frozen=True)
class Span:
    """The calendar years in which a site runs: from its start year to its end year."""

    start: int
    end: int | None = None  # the last year it ran; None while it still runs

    def runs_in(self, year: int) -> bool:
        return self.start <= year and (self.end is None or year <= self.end)


def site_span(
    *,
    status: str,
    started_on: datetime.date | None,
    ended_on: datetime.date | None,
    today: datetime.date,
) -> Span | None:
    """When a site is on the map; None if it has not started (planned, undated or in future).

    A site that ended without an end date is shown in its start year only: we know it ran then.
    """
    if status == Site.Status.PLANNED or started_on is None or started_on > today:
        return None
    if ended_on is not None:
        end = max(ended_on.year, started_on.year)
    elif status == Site.Status.ENDED:
        end = started_on.year
    else:
        end = None
    return Span(started_on.year, end)


@dataclass(frozen=True)
class Period:
    """A run of years shown as one small map: the sites running in its last year."""

    first: int
    last: int

    @property
    def label(self) -> str:
        return str(self.last) if self.first == self.last else f"{self.first}–{self.last}"

    def __contains__(self, year: int) -> bool:
        return self.first <= year <= self.last


def periods(first_year: int, last_year: int, *, max_panels: int = MAX_PANELS) -> list[Period]:
    """One period per year, or equal runs of years ending with last_year if there are many."""
    if last_year < first_year:
        return []
    step = math.ceil((last_year - first_year + 1) / max_panels)
    result = []
    end = last_year
    while end >= first_year:
        result.append(Period(max(first_year, end - step + 1), end))
        end -= step
    return result[::-1]


@dataclass(frozen=True)
class YearCount:
    year: int
    sites: int  # all sites that started in the year, origins included
    copies: int  # of them, copies of the project

    @property
    def origins(self) -> int:
        return self.sites - self.copies


def year_counts(
    counts: Mapping[int, tuple[int, int]], *, first_year: int | None, last_year: int
) -> list[YearCount]:
    """Every year from the first to the last, years without new sites included (as 0)."""
    if first_year is None:
        return []
    return [YearCount(year, *counts.get(year, (0, 0))) for year in range(first_year, last_year + 1)]


def months_between(start: datetime.date, end: datetime.date) -> int:
    """Whole calendar months from start to end (days are ignored, as in the SQL version)."""
    return (end.year - start.year) * 12 + end.month - start.month


def median(counts: Mapping[int, int]) -> float | None:
    """The median of values given as {value: how often}; None without values."""
    total = sum(counts.values())
    if not total:
        return None
    middle = [(total - 1) // 2, total // 2]
    found: list[int] = []
    seen = 0
    for value in sorted(counts):
        seen += counts[value]
        while middle and middle[0] < seen:
            found.append(value)
            middle.pop(0)
    return sum(found) / 2


def duration_text(months: float) -> str:
    """'1 year and 5 months', '8 months', 'less than a month': rounded to whole months."""
    whole = max(0, math.floor(months + 0.5))
    if whole == 0:
        return _("less than a month")
    years, rest = divmod(whole, 12)
    month_text = ngettext("%(count)d month", "%(count)d months", rest) % {"count": rest}
    if not years:
        return month_text
    year_text = ngettext("%(count)d year", "%(count)d years", years) % {"count": years}
    if not rest:
        return year_text
    return _("%(years)s and %(months)s") % {"years": year_text, "months": month_text}


class TreeSite(Protocol):
    pk: int
    is_origin: bool
    copied_from_id: int | None


@dataclass(eq=False)
class TreeNode:
    site: TreeSite
    generation: int  # 0 for the origin, 1 for its copies, 2 for copies of those …
    children: list["TreeNode"] = field(default_factory=list)
    # True when the site names no source and is counted as a copy of the origin.
    source_assumed: bool = False


def family_tree(sites: Sequence[TreeSite]) -> list[TreeNode]:
    """Who copied from whom, as trees in the order of the given sites.

    The origin is generation 0. A copy that names no source (or one outside the project) counts
    as copied directly from the origin. Should the data ever hold a loop, its first site is
    hung under the origin, so that every site appears exactly once.
    """
    by_id = {site.pk: site for site in sites}
    origin = next((site for site in sites if site.is_origin), None)
    parent_of: dict[int, int | None] = {}
    assumed: set[int] = set()
    for site in sites:
        if site.is_origin:
            parent_of[site.pk] = None
        elif site.copied_from_id in by_id and site.copied_from_id != site.pk:
            parent_of[site.pk] = site.copied_from_id
        else:
            parent_of[site.pk] = origin.pk if origin else None
            assumed.add(site.pk)

    nodes = {site.pk: TreeNode(site, 0, source_assumed=site.pk in assumed) for site in sites}
    roots: list[TreeNode] = []
    placed: set[int] = set()

    def place(start: TreeNode, generation: int) -> None:
        stack = [(start, generation)]
        while stack:
            node, depth = stack.pop()
            node.generation = depth
            placed.add(node.site.pk)
            for child in reversed(node.children):
                stack.append((child, depth + 1))

    for site in sites:
        parent = parent_of[site.pk]
        if parent is None:
            roots.append(nodes[site.pk])
        else:
            nodes[parent].children.append(nodes[site.pk])
    for root in roots:
        place(root, 0 if root.site.is_origin else 1)
    for site in sites:  # only sites in a loop are left
        if site.pk in placed:
            continue
        node = nodes[site.pk]
        for other in nodes.values():
            other.children = [child for child in other.children if child is not node]
        node.source_assumed = True
        if origin is not None:
            nodes[origin.pk].children.append(node)
            place(node, nodes[origin.pk].generation + 1)
        else:
            roots.append(node)
            place(node, 1)
    return roots


def walk(nodes: Iterable[TreeNode]) -> Iterable[TreeNode]:
    """Every node, parents before their children (without recursion: chains can be long)."""
    stack = list(nodes)[::-1]
    while stack:
        node = stack.pop()
        yield node
        stack.extend(reversed(node.children))


def generation_counts(tree: Iterable[TreeNode]) -> list[tuple[int, int]]:
    """[(generation, number of sites)] in order."""
    counts = Counter(node.generation for node in walk(tree))
    return sorted(counts.items())


@dataclass(frozen=True)
class TreeItem:
    """One site of a tree, flattened for a template: it opens a nested list if it has copies,
    otherwise it closes its own item and `closes` enclosing lists."""

    node: TreeNode
    opens: bool
    closes: range


def tree_items(tree: Sequence[TreeNode]) -> list[TreeItem]:
    """The tree as a flat sequence, so that a template nests lists of any depth without
    recursive includes."""
    ordered: list[tuple[TreeNode, int]] = []
    stack = [(node, 0) for node in reversed(tree)]
    while stack:
        node, depth = stack.pop()
        ordered.append((node, depth))
        stack.extend((child, depth + 1) for child in reversed(node.children))
    items = []
    for index, (node, depth) in enumerate(ordered):
        next_depth = ordered[index + 1][1] if index + 1 < len(ordered) else 0
        opens = bool(node.children)
        items.append(TreeItem(node, opens, range(0 if opens else depth - next_depth)))
    return items
