"""Geometry of the server-rendered charts: small maps of Germany and bar charts.

Everything here returns numbers and SVG path strings; the templates draw them. So the charts
need no JavaScript, cost no extra request, and each has a text or table alternative beside it.
"""

import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from .figures import Period, Span, YearCount

# A frame around Germany (degrees); a place outside it is drawn at its edge.
NORTH, SOUTH, WEST, EAST = 55.1, 47.2, 5.8, 15.1
# Grid cells for the outline of Germany and the density maps: about 22 by 14 km.
CELL_DEGREES = 0.2
SCALE = 20.0  # SVG units per degree of latitude
# An equirectangular projection true to scale at the middle of Germany: good enough at this size.
X_FACTOR = math.cos(math.radians((NORTH + SOUTH) / 2))
MAP_WIDTH = round((EAST - WEST) * X_FACTOR * SCALE, 1)
MAP_HEIGHT = round((NORTH - SOUTH) * SCALE, 1)

Cell = tuple[int, int]


def position(latitude: float, longitude: float) -> tuple[float, float]:
    """SVG x, y of a place on the small map."""
    latitude = min(max(latitude, SOUTH), NORTH)
    longitude = min(max(longitude, WEST), EAST)
    return (
        round((longitude - WEST) * X_FACTOR * SCALE, 1),
        round((NORTH - latitude) * SCALE, 1),
    )


def cell_of(latitude: float, longitude: float) -> Cell:
    return math.floor(latitude / CELL_DEGREES), math.floor(longitude / CELL_DEGREES)


def _rectangle(row: int, first_column: int, last_column: int) -> str:
    left, top = position((row + 1) * CELL_DEGREES, first_column * CELL_DEGREES)
    right, bottom = position(row * CELL_DEGREES, (last_column + 1) * CELL_DEGREES)
    return f"M{left:g} {top:g}H{right:g}V{bottom:g}H{left:g}Z"


def cells_path(cells: Iterable[Cell]) -> str:
    """One SVG path covering the cells; neighbours in a row merge into one rectangle, which
    keeps a map of a thousand cells to a few kilobytes."""
    rows: dict[int, list[int]] = defaultdict(list)
    for row, column in set(cells):
        rows[row].append(column)
    parts = []
    for row in sorted(rows, reverse=True):
        columns = sorted(rows[row])
        start = previous = columns[0]
        for column in columns[1:]:
            if column != previous + 1:
                parts.append(_rectangle(row, start, previous))
                start = column
            previous = column
        parts.append(_rectangle(row, start, previous))
    return "".join(parts)


# Small multiples -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Dot:
    x: float
    y: float
    new: bool  # started within the panel's period


@dataclass(frozen=True)
class Layer:
    css_class: str
    path: str


@dataclass(frozen=True)
class Panel:
    """One small map: what ran in the last year of its period."""

    period: Period
    running: int
    new: int  # of the running ones, started within the period
    dots: tuple[Dot, ...] = ()
    layers: tuple[Layer, ...] = ()


def site_panels(
    sites: Sequence[tuple[Span, float, float]], periods: Sequence[Period]
) -> list[Panel]:
    """Small maps of one project: a dot per place, new places of the period highlighted."""
    panels = []
    for period in periods:
        dots: dict[tuple[float, float], bool] = {}
        running = new = 0
        for span, latitude, longitude in sites:
            if not span.runs_in(period.last):
                continue
            is_new = span.start in period
            running += 1
            new += is_new
            point = position(latitude, longitude)
            dots[point] = dots.get(point, False) or is_new
        ordered = sorted(dots.items(), key=lambda item: item[1])  # new ones drawn on top
        panels.append(
            Panel(
                period,
                running,
                new,
                dots=tuple(Dot(x, y, is_new) for (x, y), is_new in ordered),
            )
        )
    return panels


@dataclass(frozen=True)
class LegendEntry:
    css_class: str
    low: int
    high: int | None  # None: and more


def _thresholds(counts: Iterable[int]) -> list[int]:
    """Upper bounds of the lower density classes: the thirds of the cells' counts."""
    values = sorted(count for count in counts if count > 0)
    if not values:
        return []
    bounds = {values[(len(values) - 1) // 3], values[(2 * len(values) - 1) // 3]}
    return sorted(bound for bound in bounds if bound < values[-1]) or [values[-1]]


def _running(starts: Sequence[tuple[int, int]], ends: Sequence[tuple[int, int]], year: int) -> int:
    """Sites running in a year: started by then, minus those whose last year was before."""
    started = sum(n for start, n in starts if start <= year)
    stopped = sum(n for end, n in ends if end < year)
    return started - stopped


def density_panels(
    starts: Iterable[tuple[Cell, int, int]],
    ends: Iterable[tuple[Cell, int, int]],
    periods: Sequence[Period],
) -> tuple[list[Panel], list[LegendEntry]]:
    """Small maps of many sites: grid cells shaded by how many sites ran there.

    starts: (cell, year, n), n sites started in the cell that year; ends: (cell, year, n),
    n sites ran there for the last time that year. Both are aggregates, one row per cell and
    year, so the work depends on the size of Germany and the years, not on the sites.
    """
    starts_by_cell: dict[Cell, list[tuple[int, int]]] = defaultdict(list)
    ends_by_cell: dict[Cell, list[tuple[int, int]]] = defaultdict(list)
    for cell, year, n in starts:
        starts_by_cell[cell].append((year, n))
    for cell, year, n in ends:
        ends_by_cell[cell].append((year, n))

    running_by_period: list[dict[Cell, int]] = []
    new_by_period: list[int] = []
    for period in periods:
        running: dict[Cell, int] = {}
        new = 0
        for cell, cell_starts in starts_by_cell.items():
            count = _running(cell_starts, ends_by_cell.get(cell, ()), period.last)
            if count > 0:
                running[cell] = count
                new += min(count, sum(n for year, n in cell_starts if year in period))
        running_by_period.append(running)
        new_by_period.append(new)

    bounds = _thresholds(running_by_period[-1].values() if running_by_period else [])
    legend = []
    low = 1
    for index, bound in enumerate(bounds):
        legend.append(LegendEntry(f"spread-density-{index + 1}", low, bound))
        low = bound + 1
    legend.append(LegendEntry(f"spread-density-{len(bounds) + 1}", low, None))

    panels = []
    for period, running, new in zip(periods, running_by_period, new_by_period, strict=True):
        classes: dict[int, list[Cell]] = defaultdict(list)
        for cell, count in running.items():
            classes[sum(count > bound for bound in bounds)].append(cell)
        layers = tuple(
            Layer(legend[index].css_class, cells_path(cells))
            for index, cells in sorted(classes.items())
        )
        panels.append(Panel(period, sum(running.values()), new, layers=layers))
    return panels, legend


# Bar chart -------------------------------------------------------------------------------------

CHART_WIDTH = 640
CHART_HEIGHT = 220
CHART_LEFT = 40  # room for the value labels
CHART_RIGHT = 8
CHART_TOP = 10
CHART_BOTTOM = 26  # room for the year labels


@dataclass(frozen=True)
class Bar:
    year: int
    sites: int
    copies: int
    x: float
    width: float
    y: float  # top of the whole bar
    height: float
    copies_y: float  # top of the copies part, which sits at the bottom
    copies_height: float
    centre: float


@dataclass(frozen=True)
class Tick:
    value: int
    y: float


@dataclass(frozen=True)
class BarChart:
    bars: list[Bar]
    ticks: list[Tick]
    year_labels: list[tuple[int, float]]
    width: int = CHART_WIDTH
    height: int = CHART_HEIGHT
    left: int = CHART_LEFT
    right: int = CHART_WIDTH - CHART_RIGHT
    baseline: int = CHART_HEIGHT - CHART_BOTTOM

    @property
    def first_year(self) -> int:
        return self.bars[0].year

    @property
    def last_year(self) -> int:
        return self.bars[-1].year

    @property
    def busiest(self) -> Bar:
        return max(self.bars, key=lambda bar: (bar.sites, -bar.year))


def _tick_step(maximum: int) -> int:
    """1, 2, 5, 10, 20, 50 … so that the axis gets at most five labels."""
    step = 1
    while True:
        for factor in (1, 2, 5):
            if maximum / (step * factor) <= 4:
                return step * factor
        step *= 10


def _label_step(years: int) -> int:
    for step in (1, 2, 5, 10, 20, 50):
        if years / step <= 12:
            return step
    return 100


def bar_chart(years: Sequence[YearCount]) -> BarChart | None:
    """New sites per year as stacked bars: copies at the bottom, new projects on top."""
    if not years:
        return None
    maximum = max(max(year.sites for year in years), 1)
    step = _tick_step(maximum)
    top = step * math.ceil(maximum / step)
    plot_height = CHART_HEIGHT - CHART_TOP - CHART_BOTTOM
    plot_width = CHART_WIDTH - CHART_LEFT - CHART_RIGHT
    slot = plot_width / len(years)
    gap = min(slot * 0.2, 4)
    baseline = CHART_HEIGHT - CHART_BOTTOM

    def height(value: int) -> float:
        return round(value / top * plot_height, 1)

    bars = []
    for index, year in enumerate(years):
        x = round(CHART_LEFT + index * slot + gap / 2, 1)
        bars.append(
            Bar(
                year=year.year,
                sites=year.sites,
                copies=year.copies,
                x=x,
                width=round(slot - gap, 1),
                y=round(baseline - height(year.sites), 1),
                height=height(year.sites),
                copies_y=round(baseline - height(year.copies), 1),
                copies_height=height(year.copies),
                centre=round(CHART_LEFT + (index + 0.5) * slot, 1),
            )
        )
    ticks = [Tick(value, round(baseline - height(value), 1)) for value in range(0, top + 1, step)]
    label_step = _label_step(len(years))
    labels = [(bar.year, bar.centre) for bar in bars if bar.year % label_step == 0]
    return BarChart(bars=bars, ticks=ticks, year_labels=labels)
