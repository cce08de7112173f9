import datetime
import itertools
from dataclasses import dataclass

import pytest
from django.utils import translation

from apps.spread import charts, figures

TODAY = datetime.date(2024, 6, 30)


def span(status="active", started=(2018, 4, 1), ended=None):
    return figures.site_span(
        status=status,
        started_on=datetime.date(*started) if started else None,
        ended_on=datetime.date(*ended) if ended else None,
        today=TODAY,
    )


class TestSiteSpan:
    def test_an_active_site_runs_from_its_start_year_on(self):
        running = span()
        assert (running.start, running.end) == (2018, None)
        assert not running.runs_in(2017)
        assert running.runs_in(2018)
        assert running.runs_in(2040)

    def test_an_ended_site_disappears_after_its_end_year(self):
        ended = span(status="ended", started=(2016, 6, 1), ended=(2017, 3, 31))
        assert [year for year in range(2015, 2020) if ended.runs_in(year)] == [2016, 2017]

    def test_an_ended_site_without_end_date_is_shown_in_its_start_year_only(self):
        assert span(status="ended", started=(2016, 6, 1)) == figures.Span(2016, 2016)

    def test_planned_undated_and_future_sites_are_not_on_the_timeline(self):
        assert span(status="planned") is None
        assert span(started=None) is None
        assert span(started=(2025, 1, 1)) is None


def test_few_years_get_one_period_each_and_many_years_get_equal_runs_ending_now():
    assert [period.label for period in figures.periods(2019, 2022)] == [
        "2019",
        "2020",
        "2021",
        "2022",
    ]
    many = figures.periods(1985, 2024)
    assert len(many) <= figures.MAX_PANELS
    assert many[-1].label == "2021–2024"
    assert many[0].first == 1985
    assert all(a.last + 1 == b.first for a, b in itertools.pairwise(many))


def test_years_without_new_sites_count_as_zero():
    counts = {2015: (1, 0), 2018: (2, 2)}
    years = figures.year_counts(counts, first_year=2015, last_year=2019)
    assert [(y.year, y.sites, y.copies, y.origins) for y in years] == [
        (2015, 1, 0, 1),
        (2016, 0, 0, 0),
        (2017, 0, 0, 0),
        (2018, 2, 2, 0),
        (2019, 0, 0, 0),
    ]


class TestMedian:
    def test_of_an_odd_number_of_values_is_the_middle_one(self):
        assert figures.median({17: 1, 6: 1, 40: 1}) == 17

    def test_of_an_even_number_of_values_is_between_the_middle_two(self):
        assert figures.median({17: 1, 24: 1}) == 20.5

    def test_counts_repeated_values(self):
        assert figures.median({3: 5, 100: 4}) == 3

    def test_of_nothing_is_none(self):
        assert figures.median({}) is None


def test_months_between_counts_calendar_months():
    assert figures.months_between(datetime.date(2015, 1, 1), datetime.date(2016, 6, 15)) == 17


@pytest.mark.parametrize(
    ("months", "text"),
    [
        (0, "less than a month"),
        (0.4, "less than a month"),
        (1, "1 month"),
        (8, "8 months"),
        (12, "1 year"),
        (17, "1 year and 5 months"),
        (20.5, "1 year and 9 months"),
        (61, "5 years and 1 month"),
    ],
)
def test_durations_read_as_years_and_months(months, text):
    with translation.override("en"):
        assert figures.duration_text(months) == text


@dataclass
class FakeSite:
    pk: int
    is_origin: bool = False
    copied_from_id: int | None = None


def shape(nodes):
    return [(node.site.pk, node.generation, shape(node.children)) for node in nodes]


class TestFamilyTree:
    def test_copies_hang_under_the_site_they_copied_with_generation_numbers(self):
        sites = [
            FakeSite(1, is_origin=True),
            FakeSite(2, copied_from_id=1),
            FakeSite(3, copied_from_id=2),
            FakeSite(4, copied_from_id=3),
        ]
        assert shape(figures.family_tree(sites)) == [(1, 0, [(2, 1, [(3, 2, [(4, 3, [])])])])]

    def test_a_copy_without_source_counts_as_copied_from_the_origin(self):
        sites = [FakeSite(1, is_origin=True), FakeSite(2), FakeSite(3, copied_from_id=2)]
        tree = figures.family_tree(sites)
        assert shape(tree) == [(1, 0, [(2, 1, [(3, 2, [])])])]
        assert tree[0].children[0].source_assumed
        assert not tree[0].children[0].children[0].source_assumed

    def test_a_loop_in_the_data_still_shows_every_site_once(self):
        sites = [
            FakeSite(1, is_origin=True),
            FakeSite(2, copied_from_id=3),
            FakeSite(3, copied_from_id=2),
        ]
        tree = figures.family_tree(sites)
        assert sorted(node.site.pk for node in figures.walk(tree)) == [1, 2, 3]
        assert shape(tree) == [(1, 0, [(2, 1, [(3, 2, [])])])]

    def test_generation_counts(self):
        sites = [
            FakeSite(1, is_origin=True),
            FakeSite(2, copied_from_id=1),
            FakeSite(3),
            FakeSite(4, copied_from_id=2),
        ]
        assert figures.generation_counts(figures.family_tree(sites)) == [(0, 1), (1, 2), (2, 1)]

    def test_flattened_items_open_and_close_nested_lists_in_balance(self):
        sites = [
            FakeSite(1, is_origin=True),
            FakeSite(2, copied_from_id=1),
            FakeSite(3, copied_from_id=2),
            FakeSite(4, copied_from_id=1),
        ]
        markup = ""
        for item in figures.tree_items(figures.family_tree(sites)):
            markup += f"<li>{item.node.site.pk}"
            markup += "<ul>" if item.opens else "</li>" + "</ul></li>" * len(item.closes)
        assert markup == "<li>1<ul><li>2<ul><li>3</li></ul></li><li>4</li></ul></li>"


class TestCharts:
    def test_neighbouring_cells_merge_into_one_rectangle(self):
        path = charts.cells_path([(257, 35), (257, 36), (257, 38)])
        assert path.count("M") == 2

    def test_places_are_drawn_inside_the_frame(self):
        x, y = charts.position(51.5, 7.0)
        assert 0 < x < charts.MAP_WIDTH
        assert 0 < y < charts.MAP_HEIGHT
        assert charts.position(60, 20) == (charts.MAP_WIDTH, 0)

    def test_bar_heights_follow_the_values(self):
        years = figures.year_counts({2015: (1, 0), 2016: (4, 3)}, first_year=2015, last_year=2016)
        chart = charts.bar_chart(years)
        small, big = chart.bars
        assert big.height == pytest.approx(4 * small.height)
        assert big.copies_height == pytest.approx(3 * small.height)
        assert chart.busiest.year == 2016
        assert [tick.value for tick in chart.ticks] == [0, 1, 2, 3, 4]

    def test_density_maps_count_the_sites_running_in_each_cell(self):
        cell = (257, 35)
        panels, legend = charts.density_panels(
            starts=[(cell, 2015, 2), (cell, 2017, 1)],
            ends=[(cell, 2016, 1)],
            periods=figures.periods(2015, 2018),
        )
        assert [panel.running for panel in panels] == [2, 2, 2, 2]
        assert [panel.new for panel in panels] == [2, 0, 1, 0]
        assert legend[-1].high is None
