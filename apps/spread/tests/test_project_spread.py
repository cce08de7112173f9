import json
import re

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from apps.catalog.models import Project
from apps.spread import charts
from tests.factories import (
    MembershipFactory,
    MunicipalityFactory,
    ProjectFactory,
    UserFactory,
    moderator,
)

from .builders import add_site, figure, garden_project, text

pytestmark = pytest.mark.django_db


def spread_url(project: Project, language: str = "en") -> str:
    with translation.override(language):
        return reverse("spread:project", kwargs={"slug": project.slug})


@pytest.fixture
def project():
    return garden_project()


class TestFigures:
    def test_count_active_sites_municipalities_and_states(self, client, project):
        response = client.get(spread_url(project))
        assert response.status_code == 200
        assert figure(response, "active-sites") == "5"
        assert figure(response, "municipalities") == "5"
        assert figure(response, "states") == "2"
        assert "Bavaria, North Rhine-Westphalia" in text(response)

    def test_time_to_the_first_copy_runs_from_the_origin_to_the_earliest_copy(
        self, client, project
    ):
        # Wesel started in January 2015, Bocholt copied it in June 2016 (and has ended since).
        response = client.get(spread_url(project))
        assert figure(response, "first-copy") == "1 year and 5 months"

    def test_a_project_nobody_copied_yet_says_so(self, client):
        response = client.get(spread_url(ProjectFactory()))
        assert figure(response, "first-copy") == "not copied yet"
        assert figure(response, "generations") == "0"

    def test_new_sites_per_year_in_the_table_include_years_without_any(self, client, project):
        page = client.get(spread_url(project)).content.decode()
        table = page[page.index('id="new-sites-table"') :]
        rows = re.findall(
            r"<tr><th scope=\"row\">(\d+)</th><td>(\d+)</td><td>(\d+)</td></tr>", table
        )
        assert rows[:9] == [
            ("2015", "1", "0"),
            ("2016", "1", "1"),
            ("2017", "0", "0"),
            ("2018", "1", "1"),
            ("2019", "1", "1"),
            ("2020", "0", "0"),
            ("2021", "1", "1"),
            ("2022", "0", "0"),
            ("2023", "1", "1"),
        ]
        assert rows[-1][0] == str(timezone.localdate().year)

    def test_the_bar_chart_is_an_image_with_a_text_alternative(self, client, project):
        page = client.get(spread_url(project)).content.decode()
        chart = re.search(r'<svg[^>]*class="spread-bars"[^>]*>', page).group(0)
        assert 'role="img"' in chart
        assert 'aria-labelledby="new-sites-title"' in chart
        assert "the table below lists the numbers" in page
        assert page.count('class="spread-bar-copies"') == 5


class TestFamilyTree:
    def test_nests_copies_under_their_source_with_generation_numbers(self, client, project):
        page = text(client.get(spread_url(project)))
        assert "Original: 1 site" in page
        assert "Generation 1: 3 sites" in page
        assert "Generation 2: 2 sites" in page
        assert "Generation 3: 1 site" in page
        assert figure(client.get(spread_url(project)), "generations") == "3"

    def test_shows_who_copied_from_whom_as_nested_lists(self, client, project):
        page = client.get(spread_url(project)).content.decode()
        start = page.index('<ul class="spread-tree"')
        tree = page[start : page.index("</section>", start)]
        names = re.findall(r"<strong>([^<(]+) \(", tree)
        assert names == ["Wesel", "Bocholt", "Brünen", "Dingden", "Passau", "München", "Raesfeld"]
        depth, depths = 0, {}
        for token in re.finditer(r"<ul|</ul>|<strong>([^<(]+) \(", tree):
            if token.group(0) == "<ul":
                depth += 1
            elif token.group(0) == "</ul>":
                depth -= 1
            else:
                depths[token.group(1)] = depth
        assert depths == {
            "Wesel": 1,
            "Bocholt": 2,
            "Brünen": 2,
            "Dingden": 3,
            "Passau": 4,
            "München": 3,
            "Raesfeld": 2,
        }
        assert depth == 0
        assert "no source given" in tree  # Raesfeld counts as a copy of the origin


class TestOverTime:
    def test_map_data_has_each_dated_site_with_its_years(self, client, project):
        page = client.get(spread_url(project)).content.decode()
        data = json.loads(
            re.search(
                r'<script id="spread-map-data" type="application/json">(.*?)</script>', page
            ).group(1)
        )
        assert data["first_year"] == 2015
        assert data["last_year"] == timezone.localdate().year
        spans = {
            point[4].split(" (")[0]: (point[2], point[3], point[6]) for point in data["points"]
        }
        assert spans == {
            "Wesel": (2015, None, 1),
            "Bocholt": (2016, 2017, 0),
            "Brünen": (2018, None, 0),
            "Dingden": (2021, None, 0),
            "Raesfeld": (2019, None, 0),
            "Passau": (2023, None, 0),
        }
        assert "1 site is planned or has no start date" in text(client.get(spread_url(project)))

    def test_small_maps_show_the_sites_running_in_each_year_without_javascript(
        self, client, project
    ):
        response = client.get(spread_url(project))
        captions = dict(
            re.findall(
                r"<strong>(\d{4}(?:–\d{4})?)</strong>:\s*([^<]+?)\s*</figcaption>",
                response.content.decode(),
            )
        )
        assert " ".join(captions["2016"].split()) == "2 sites running, 1 of them new"
        assert " ".join(captions["2017"].split()) == "2 sites running"
        assert " ".join(captions["2018"].split()) == "2 sites running, 1 of them new"
        assert " ".join(captions["2023"].split()) == "5 sites running, 1 of them new"
        panels = response.context["spread"].panels
        assert [len(panel.dots) for panel in panels[:4]] == [1, 2, 2, 2]

    def test_small_maps_draw_the_outline_of_germany_once_from_the_cache(self, client, project):
        page = client.get(spread_url(project)).content.decode()
        assert page.count('id="spread-outline"') == 1
        assert re.search(r'<path id="spread-outline" d="M[\d. ]+H', page)
        panels = re.findall(
            r'<svg viewBox="([^"]*)" role="img" aria-labelledby="spread-panel', page
        )
        assert panels
        assert set(panels) == {f"0 0 {charts.MAP_WIDTH} {charts.MAP_HEIGHT}"}
        assert page.count('<use href="#spread-outline"') == len(panels)

    def test_svg_numbers_are_not_localised(self, client, project):
        page = client.get(spread_url(project, "de")).content.decode()
        assert not re.search(r'c[xy]="\d+,\d', page)
        assert not re.search(r'width="\d+,\d', page)


class TestVisibility:
    @pytest.fixture
    def pending(self):
        return garden_project(status=Project.Status.PENDING, published_at=None)

    def test_a_pending_project_is_hidden_from_anonymous_visitors(self, client, pending):
        assert client.get(spread_url(pending)).status_code == 404

    def test_a_pending_project_is_hidden_from_other_users(self, client, pending):
        client.force_login(UserFactory())
        assert client.get(spread_url(pending)).status_code == 404

    def test_a_pending_project_is_visible_to_its_organisation_and_says_so(self, client, pending):
        client.force_login(MembershipFactory(organisation=pending.organisation).user)
        response = client.get(spread_url(pending))
        assert response.status_code == 200
        assert "visible only to your organisation" in text(response)

    def test_a_pending_project_is_visible_to_moderators(self, client, pending):
        client.force_login(moderator())
        assert client.get(spread_url(pending)).status_code == 200

    def test_the_project_page_links_to_its_spread(self, client, project):
        with translation.override("de"):
            page = client.get(project.get_absolute_url()).content.decode()
        assert f'href="{spread_url(project, "de")}"' in page


def test_costs_the_same_queries_for_few_and_many_sites(
    client, project, django_assert_max_num_queries
):
    client.force_login(UserFactory())  # logged in: no page cache, the real rendering cost
    with django_assert_max_num_queries(20):  # cold: the outline is computed and cached
        client.get(spread_url(project))
    for index in range(40):
        add_site(
            project,
            MunicipalityFactory(latitude=50 + index / 20, longitude=8 + index / 10),
            started=(2020 + index % 4, 5, 1),
            copied_from=project.sites.get(is_origin=True),
        )
    with django_assert_max_num_queries(12):
        response = client.get(spread_url(project))
    assert figure(response, "active-sites") == "45"
