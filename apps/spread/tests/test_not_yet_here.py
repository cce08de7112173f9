import pytest
from django.urls import reverse
from django.utils import translation

from apps.catalog.models import Project
from apps.places.geo import haversine_km
from tests.factories import MunicipalityFactory, UserFactory

from .builders import EAST, add_site, far_places, place, project_with_sites, text

pytestmark = pytest.mark.django_db


def url() -> str:
    with translation.override("en"):
        return reverse("spread:not_yet_here")


def titles(response) -> list[str]:
    return [candidate.project.title for candidate in response.context["result"].candidates]


@pytest.fixture
def home():
    """A village in the Lower Rhine region."""
    return MunicipalityFactory(
        name="Haldern", state="NW", population=5_000 - 1, latitude=51.77, longitude=6.47
    )


class TestResults:
    def test_lists_projects_proven_elsewhere_with_their_nearest_site_and_distance(
        self, client, home
    ):
        near_ish = place(51.45, 7.0, name="Gelsenkirchen", population=260_000)
        project_with_sites("Dorfladen", [*far_places(2), near_ish])
        response = client.get(url(), {"municipality": home.label})
        assert response.status_code == 200
        [candidate] = response.context["result"].candidates
        expected = haversine_km(home.latitude, home.longitude, 51.45, 7.0)
        assert candidate.nearest_site == "Gelsenkirchen (North Rhine-Westphalia)"
        assert candidate.distance_km == pytest.approx(expected)
        assert f"Nearest site: Gelsenkirchen (North Rhine-Westphalia), {expected:.0f} km away." in (
            text(response)
        )

    def test_leaves_out_projects_with_an_active_site_within_the_radius(self, client, home):
        project_with_sites("Weit weg", far_places(3))
        project_with_sites("Schon da", [*far_places(2), place(51.80, 6.55)])  # 6 km away
        response = client.get(url(), {"municipality": home.label, "radius_km": "25"})
        assert titles(response) == ["Weit weg"]

    def test_a_site_in_the_corner_of_the_box_but_outside_the_circle_does_not_count(
        self, client, home
    ):
        # 0.2° north and 0.3° east: inside the 25 km box, but about 30 km away.
        corner = place(51.97, 6.77)
        assert haversine_km(home.latitude, home.longitude, 51.97, 6.77) > 25
        project_with_sites("Eckfall", [*far_places(2), corner])
        response = client.get(url(), {"municipality": home.label, "radius_km": "25"})
        assert titles(response) == ["Eckfall"]
        assert response.context["result"].candidates[0].distance_km == pytest.approx(
            haversine_km(home.latitude, home.longitude, 51.97, 6.77)
        )

    def test_a_larger_radius_leaves_it_out(self, client, home):
        project_with_sites("Eckfall", [*far_places(2), place(51.97, 6.77)])
        assert titles(client.get(url(), {"municipality": home.label, "radius_km": 40})) == []

    def test_ended_and_planned_sites_nearby_do_not_count(self, client, home):
        project = project_with_sites("Beendet", far_places(3))
        add_site(project, place(51.78, 6.48), started=(2015, 1, 1), status="ended")
        add_site(project, place(51.76, 6.46), status="planned")
        assert titles(client.get(url(), {"municipality": home.label})) == ["Beendet"]

    def test_needs_the_minimum_number_of_active_sites(self, client, home):
        project_with_sites("Zwei", far_places(2))
        assert titles(client.get(url(), {"municipality": home.label})) == []
        assert titles(client.get(url(), {"municipality": home.label, "min_sites": 2})) == ["Zwei"]

    def test_pending_projects_are_not_listed(self, client, home):
        project = project_with_sites("Wartet", far_places(3))
        Project.objects.filter(pk=project.pk).update(status=Project.Status.PENDING)
        assert titles(client.get(url(), {"municipality": home.label})) == []

    def test_ranks_by_fit_for_the_municipality_then_by_sites(self, client, home):
        cities = [place(*EAST[i], population=500_000) for i in range(3)]
        villages = [place(*EAST[i], population=800) for i in range(3)]
        project_with_sites("Städtisch", cities, setting="urban")  # fit 0
        project_with_sites("Dörflich", villages, setting="rural")  # fit 1
        project_with_sites("Beides, ein Dorf", [*cities[:2], villages[0]], setting="both")
        project_with_sites(
            "Beides, mehr Standorte",
            [*cities, place(51.3, 12.4, population=500_000)],
            setting="both",
        )  # fit 0.5, but more sites than …
        project_with_sites("Beides, weniger Standorte", cities, setting="both")  # … this one
        response = client.get(url(), {"municipality": home.label})
        assert titles(response) == [
            "Dörflich",
            "Beides, ein Dorf",
            "Beides, mehr Standorte",
            "Beides, weniger Standorte",
            "Städtisch",
        ]
        page = text(response)
        assert "Works in rural places like yours." in page
        assert "Made for a different setting than yours" in page
        assert "3 of its 3 active sites are places of your size (Rural community" in page
        assert "1 of its 3 active sites is a place of your size" in page

    def test_pages_keep_the_query(self, client, home):
        for index in range(22):
            project_with_sites(f"Projekt {index:02}", far_places(3))
        response = client.get(url(), {"municipality": home.label, "min_sites": "3"})
        assert response.context["result"].page.paginator.count == 22
        assert len(titles(response)) == 20
        page = response.content.decode()
        assert "?municipality=Haldern" in page
        assert "min_sites=3&amp;page=2" in page
        second = client.get(url(), {"municipality": home.label, "min_sites": "3", "page": "2"})
        assert len(titles(second)) == 2
        assert 'start="21"' in second.content.decode()
        assert client.get(url(), {"municipality": home.label, "page": "99"}).status_code == 200


class TestForm:
    def test_without_a_query_only_the_form_is_shown_with_defaults(self, client):
        response = client.get(url())
        assert response.status_code == 200
        assert response.context["result"] is None
        page = response.content.decode()
        assert 'name="min_sites" value="3"' in page
        assert 'name="radius_km" value="25"' in page
        assert "hx-get" in page  # the municipality suggests places as one types

    def test_defaults_apply_when_only_the_municipality_is_given(self, client, home):
        result = client.get(url(), {"municipality": home.name}).context["result"]
        assert (result.min_sites, result.radius_km) == (3, 25)
        assert result.municipality == home

    @pytest.mark.parametrize(
        ("query", "message"),
        [
            ({"municipality": ""}, "Please enter your municipality"),
            ({"municipality": "Atlantis"}, "We do not know the place “Atlantis”"),
            ({"radius_km": "weit"}, "Please enter the distance in whole kilometres"),
            ({"radius_km": "500"}, "at most 100 km"),
            ({"radius_km": "0"}, "at least 1 km"),
            ({"radius_km": "-5"}, "at least 1 km"),
            ({"min_sites": "drei"}, "Please enter the number of places as a whole number"),
            ({"min_sites": "0"}, "Please enter at least 1 place"),
            ({"min_sites": "99999999999999999999999"}, "at most 1000 places"),
        ],
    )
    def test_bad_input_gets_a_clear_message_and_no_error_page(self, client, home, query, message):
        response = client.get(url(), {"municipality": home.label, **query})
        assert response.status_code == 200
        assert response.context["result"] is None
        assert message in text(response)
        assert "Please check the entries marked below." in text(response)


def test_costs_a_fixed_number_of_queries(client, home, django_assert_max_num_queries):
    client.force_login(UserFactory())  # logged in: no page cache
    project_with_sites("Eins", far_places(3))
    with django_assert_max_num_queries(11):  # 7 for the page, 3 for the menu's permissions
        client.get(url(), {"municipality": home.label})
    for index in range(8):
        project_with_sites(f"Mehr {index}", far_places(4))
    with django_assert_max_num_queries(11):  # 7 for the page, 3 for the menu's permissions
        response = client.get(url(), {"municipality": home.label})
    assert len(titles(response)) == 9
