import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from apps.catalog.models import Project, Topic
from apps.catalog.services import project_recount_sites
from apps.places.models import Municipality
from apps.spread.selectors import SpreadFilters, platform_spread
from tests.factories import MunicipalityFactory, ProjectFactory, UserFactory

from .builders import add_site, figure, garden_project, text

pytestmark = pytest.mark.django_db


def url(name: str = "spread:overview") -> str:
    with translation.override("en"):
        return reverse(name)


@pytest.fixture
def garden():
    return Topic.objects.get(slug="garten-und-stadtgrun")


@pytest.fixture
def catalog(garden):
    """Three published projects and a pending one.

    - the garden project (topic garden): first copy 17 months after founding, 5 active sites,
      one of them (Passau) in Bavaria, 98 months after founding;
    - a repair café in Munich (Bavaria), founded 2010, copied in Passau in January 2012
      (24 months), 2 active sites;
    - a project nobody has copied, 1 active site;
    - a pending project with copies, which counts nowhere.
    """
    repair = Topic.objects.get(slug="reparieren-und-teilen")
    garden_project(topics=[garden])
    munich = Municipality.objects.get(name="München")
    cafe = ProjectFactory(
        title="Repair-Café München", municipality=munich, founded_year=2010, topics=[repair]
    )
    add_site(
        cafe,
        Municipality.objects.get(name="Passau"),
        started=(2012, 1, 15),
        copied_from=cafe.sites.get(),
    )
    project_recount_sites(project_ids=[cafe.pk])
    ProjectFactory(title="Einzelstück", founded_year=2020)
    pending = ProjectFactory(
        title="Wartet", founded_year=2011, status=Project.Status.PENDING, published_at=None
    )
    add_site(pending, MunicipalityFactory(), started=(2011, 6, 1), copied_from=pending.sites.get())


class TestFigures:
    def test_over_all_published_projects(self, client, catalog):
        response = client.get(url())
        assert response.status_code == 200
        assert figure(response, "projects") == "3"
        assert figure(response, "active-sites") == "8"
        assert figure(response, "municipalities") == "7"  # Passau has sites of two projects
        assert figure(response, "states") == "2"

    def test_median_time_to_the_first_copy_over_the_copied_projects(self, client, catalog):
        # 17 and 24 months: the median lies between them, 20.5 months, shown as 21 months.
        response = client.get(url())
        assert figure(response, "first-copy") == "1 year and 9 months"
        assert "over 2 projects that have been copied" in text(response)

    def test_new_sites_per_year(self, catalog):
        spread = platform_spread(filters=SpreadFilters())
        per_year = {year.year: (year.sites, year.copies) for year in spread.years}
        assert spread.years[0].year == 2010
        assert spread.years[-1].year == timezone.localdate().year
        assert per_year[2010] == (1, 0)
        assert per_year[2011] == (0, 0)  # the pending project's sites do not count
        assert per_year[2012] == (1, 1)
        assert per_year[2015] == (1, 0)
        assert per_year[2016] == (1, 1)
        assert per_year[2020] == (1, 0)
        assert sum(sites for sites, _copies in per_year.values()) == 9  # 8 active + 1 ended

    def test_a_topic_narrows_the_projects(self, client, catalog, garden):
        response = client.get(url(), {"topic": garden.slug})
        assert figure(response, "projects") == "1"
        assert figure(response, "active-sites") == "5"
        assert figure(response, "first-copy") == "1 year and 5 months"

    def test_a_state_counts_only_the_sites_there(self, client, catalog):
        response = client.get(url(), {"state": "BY"})
        assert figure(response, "projects") == "2"
        assert figure(response, "active-sites") == "3"
        assert figure(response, "states") == "1"
        # Time to the first copy in Bavaria: 24 and 98 months, median 61.
        assert figure(response, "first-copy") == "5 years and 1 month"
        assert "sites in Bavaria" in text(response)

    def test_unknown_filter_values_are_ignored_with_a_message(self, client, catalog):
        response = client.get(url(), {"topic": "gibt-es-nicht", "state": "XX"})
        assert response.status_code == 200
        page = text(response)
        assert "Some filter values were not recognised and have been ignored." in page
        assert "We do not know this topic" in page
        assert "We do not know this federal state" in page
        assert figure(response, "projects") == "3"

    @pytest.mark.parametrize(
        "query",
        [{"topic": ["a", "b"]}, {"state": "<script>"}, {"topic": "x" * 5000}, {"state": ""}],
    )
    def test_odd_input_never_breaks_the_page(self, client, catalog, query):
        assert client.get(url(), query).status_code == 200

    def test_an_empty_platform_still_answers(self, client):
        response = client.get(url())
        assert response.status_code == 200
        assert figure(response, "projects") == "0"
        assert figure(response, "first-copy") == "no copies yet"
        assert client.get(url("spread:overview_map_data")).json()["points"] == []

    def test_the_german_page_keeps_svg_numbers_unlocalised(self, client, catalog):
        with translation.override("de"):  # the default language
            response = client.get(reverse("spread:overview"))
        assert response.status_code == 200
        page = response.content.decode()
        assert 'lang="de"' in page
        assert not re.search(r'(?:x|y|width|height)="\d+,\d', page)

    def test_the_bar_chart_and_the_table(self, client, catalog):
        page = client.get(url()).content.decode()
        assert re.search(r'<svg[^>]*role="img"[^>]*aria-labelledby="new-sites-title"', page)
        assert '<caption id="new-sites-caption">New sites per year</caption>' in page


class TestRankings:
    def test_fastest_spreading_counts_copies_of_the_last_five_years(self, client):
        today = timezone.localdate()
        recent = ProjectFactory(title="Schnell", founded_year=today.year - 3)
        old = ProjectFactory(title="Alt und groß", founded_year=2000)
        old_origin, recent_origin = old.sites.get(), recent.sites.get()
        for index in range(4):
            add_site(
                old, MunicipalityFactory(), started=(2001 + index, 1, 1), copied_from=old_origin
            )
        for index in range(2):
            start = today - datetime.timedelta(days=30 * (index + 1))
            add_site(
                recent,
                MunicipalityFactory(),
                started=(start.year, start.month, 1),
                copied_from=recent_origin,
            )
        add_site(
            old,
            MunicipalityFactory(),
            started=(today.year - 4, 1, 1),
            copied_from=old_origin,
        )
        response = client.get(url())
        section = text(response).split("Fastest spreading")[1].split("Spreading in rural areas")[0]
        assert f"since 1 January {today.year - 4}" in section
        assert section.index("Schnell") < section.index("Alt und groß")
        assert f"Schnell – 2 new copies since {today.year - 4}" in section
        assert f"Alt und groß – 1 new copy since {today.year - 4}" in section

    def test_spreading_in_rural_areas_counts_active_sites_in_villages_and_small_towns(self, client):
        city = ProjectFactory(title="Stadtprojekt")
        village = ProjectFactory(title="Dorfprojekt")
        for population in (200_000, 300_000, 400_000):
            add_site(city, MunicipalityFactory(population=population), started=(2020, 1, 1))
        for population in (900, 4_000, 15_000):
            add_site(village, MunicipalityFactory(population=population), started=(2020, 1, 1))
        add_site(
            village, MunicipalityFactory(population=2_000), started=(2019, 1, 1), status="ended"
        )
        project_recount_sites(project_ids=[city.pk, village.pk])
        section = text(client.get(url())).split("Spreading in rural areas")[1]
        # The factories' home municipalities have 3,000 inhabitants: one rural site each.
        assert (
            "Dorfprojekt – 4 active sites in rural communities or small towns (of 4 in all)"
            in section
        )
        assert (
            "Stadtprojekt – 1 active site in rural communities or small towns (of 4 in all)"
            in section
        )
        assert section.index("Dorfprojekt") < section.index("Stadtprojekt")


class TestMapData:
    def test_one_point_per_municipality_with_its_years(self, client, catalog):
        response = client.get(url("spread:overview_map_data"))
        data = response.json()
        assert data["first_year"] == 2010
        points = {point[4]: point for point in data["points"]}
        assert points["Passau"][2:4] == [2012, None]  # two sites: the café's since 2012
        assert points["Passau"][5] == 2
        assert points["Bocholt"][2:6] == [2016, 2017, "Bocholt", 0]
        assert "Wartet" not in str(data)
        assert len(points) == 8  # 7 with active sites, and Bocholt, whose site ended

    def test_follows_the_filters(self, client, catalog):
        data = client.get(url("spread:overview_map_data"), {"state": "BY"}).json()
        assert sorted(point[4] for point in data["points"]) == ["München", "Passau"]

    def test_the_page_points_the_map_at_the_same_filters(self, client, catalog, garden):
        page = client.get(url(), {"topic": garden.slug, "state": "nonsense"}).content.decode()
        assert f'data-src="{url("spread:overview_map_data")}?topic={garden.slug}"' in page


class TestCost:
    def test_stays_within_a_fixed_number_of_queries(
        self, client, catalog, django_assert_max_num_queries
    ):
        client.force_login(UserFactory())  # logged in: no page cache
        # Cold: seven aggregates, plus the outline; the database cache needs five queries to
        # store an entry (with Redis it is one).
        with django_assert_max_num_queries(36):
            client.get(url())
        for index in range(8):
            project = ProjectFactory(founded_year=2000 + index)
            for copy in range(4):
                add_site(
                    project,
                    MunicipalityFactory(latitude=48 + index / 5, longitude=7 + copy / 3),
                    started=(2010 + index + copy, 1, 1),
                )
        with django_assert_max_num_queries(36):
            client.get(url(), {"state": "NW"})
        with django_assert_max_num_queries(10):  # warm: figures from the shared cache
            client.get(url(), {"state": "NW"})

    def test_anonymous_visitors_get_the_cached_page(
        self, client, catalog, django_assert_num_queries
    ):
        client.get(url())
        with django_assert_num_queries(2):  # catalog version and page, from the shared cache
            response = client.get(url())
        assert figure(response, "projects") == "3"
