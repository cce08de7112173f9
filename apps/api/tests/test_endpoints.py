import json

import pytest

from apps.market import services as market
from apps.market.models import RequestStatus
from apps.market.selectors import capacity_left
from tests.factories import MunicipalityFactory, UserFactory

pytestmark = pytest.mark.django_db


def get(client, url, **params):
    response = client.get(url, params)
    assert response["Content-Type"] == "application/json"
    return response


def slugs(response) -> list[str]:
    return [item["slug"] for item in response.json()["results"]]


class TestPublishedDataOnly:
    def test_the_project_list_holds_the_published_projects_only(self, client, open_data):
        response = get(client, "/api/v1/projects/")

        assert response.status_code == 200
        assert sorted(slugs(response)) == ["geschlossen", "repair-cafe", "rollender-dorfladen"]

    @pytest.mark.parametrize("slug", ["geheimes-vorhaben", "abgelehntes-vorhaben"])
    def test_an_unpublished_project_is_not_found(self, client, open_data, slug):
        assert get(client, f"/api/v1/projects/{slug}/").status_code == 404
        assert get(client, f"/api/v1/projects/{slug}/sites/").status_code == 404

    def test_the_sites_list_leaves_out_the_sites_of_unpublished_projects(self, client, open_data):
        projects = {site["project"] for site in get(client, "/api/v1/sites/").json()["results"]}

        assert projects == {"geschlossen", "repair-cafe", "rollender-dorfladen"}

    def test_a_site_of_an_unpublished_project_is_not_found(self, client, open_data):
        site = open_data.pending.sites.get()

        assert get(client, f"/api/v1/sites/{site.pk}/").status_code == 404

    def test_the_offers_are_the_open_offers_of_published_projects(self, client, open_data):
        offers = get(client, "/api/v1/offers/").json()["results"]

        assert sorted(offer["project"]["slug"] for offer in offers) == [
            "repair-cafe",
            "rollender-dorfladen",
        ]

    @pytest.mark.parametrize("slug", ["geschlossen", "geheimes-vorhaben"])
    def test_a_closed_offer_or_one_of_an_unpublished_project_is_not_found(
        self, client, open_data, slug
    ):
        assert get(client, f"/api/v1/offers/{slug}/").status_code == 404

    def test_no_response_names_a_person_or_a_private_field(self, client, open_data):
        urls = [
            "/api/v1/projects/",
            "/api/v1/projects/rollender-dorfladen/",
            "/api/v1/projects/rollender-dorfladen/sites/",
            "/api/v1/sites/",
            "/api/v1/organisations/",
            "/api/v1/organisations/dorfleben/",
            "/api/v1/offers/",
            "/api/v1/offers/rollender-dorfladen/",
        ]
        private = [
            "vorstand.privat@example.org",
            "mitglied.privat@example.org",
            "erika.privat@example.org",
            "Erika Privat",
            "Interne Notiz",
            "Geheimes Vorhaben",
            '"contact_name"',
            '"contact_email"',
            '"moderation_note"',
            '"created_by"',
            '"members"',
            '"membership_terms"',
            '"requests"',
        ]
        for url in urls:
            body = get(client, url).content.decode()
            for text in private:
                assert text not in body, (url, text)

    def test_an_organisation_shows_its_public_e_mail_address(self, client, open_data):
        organisation = get(client, "/api/v1/organisations/dorfleben/").json()

        assert organisation["email"] == "kontakt@dorfleben.example"
        assert organisation["website"] == "https://dorfleben.example"

    def test_an_organisation_counts_its_published_projects_only(self, client, open_data):
        assert get(client, "/api/v1/organisations/dorfleben/").json()["project_count"] == 1


class TestContent:
    def test_a_project_has_its_organisation_place_terms_and_page(self, client, open_data):
        project = get(client, "/api/v1/projects/rollender-dorfladen/").json()

        assert project["organisation"] == {"slug": "dorfleben", "name": "Dorfleben e. V."}
        assert project["municipality"] == {
            "slug": "alsfeld-he",
            "name": "Alsfeld",
            "state": "HE",
            "latitude": 51.5,
            "longitude": 7.0,
        }
        assert [topic["slug"] for topic in project["topics"]] == ["mobilitat"]
        assert [group["slug"] for group in project["target_groups"]] == ["seniorinnen-und-senioren"]
        assert project["transfer_formats"] == ["open_manual"]
        assert project["readiness"] == "proven"
        assert project["licence"] == "cc-by-sa-4.0"
        assert project["active_site_count"] == 1
        assert project["url"] == "http://testserver/projekte/rollender-dorfladen/"

    def test_page_urls_stay_in_the_default_language(self, client, open_data):
        project = client.get(
            "/api/v1/projects/rollender-dorfladen/", HTTP_ACCEPT_LANGUAGE="en"
        ).json()

        assert project["url"] == "http://testserver/projekte/rollender-dorfladen/"

    def test_an_offer_shows_its_capacity_left_after_a_started_site(self, client, open_data):
        offer = open_data.open_offer
        interested = UserFactory()
        request = market.interest_request_create(
            offer=offer,
            requester=interested,
            municipality=MunicipalityFactory(name="Lauterbach", slug="lauterbach-he"),
            organisation=None,
            message="Wir möchten das bei uns starten.",
        )
        for status in (RequestStatus.AGREED, RequestStatus.SITE_STARTED):
            market.request_transition(request=request, actor=open_data.admin, to_status=status)

        data = get(client, "/api/v1/offers/rollender-dorfladen/").json()
        sites = get(client, "/api/v1/projects/rollender-dorfladen/sites/").json()["results"]

        assert data["capacity_per_year"] == 2
        assert data["capacity_left"] == capacity_left(offer) == 1
        assert data["components"] == ["manual", "mentoring"]
        assert [site["municipality"]["name"] for site in sites] == ["Alsfeld", "Lauterbach"]
        origin, copy = sites
        assert origin["is_origin"] is True
        assert copy["is_origin"] is False
        assert copy["copied_from"] == origin["id"]

    def test_the_offer_detail_is_addressed_by_the_project_slug(self, client, open_data):
        data = get(client, "/api/v1/offers/rollender-dorfladen/").json()

        assert data["id"] == open_data.open_offer.pk
        assert data["url"] == "http://testserver/markt/rollender-dorfladen/"


class TestFilters:
    @pytest.mark.parametrize(
        ("params", "expected"),
        [
            ({"topic": "mobilitat"}, ["rollender-dorfladen"]),
            (
                {"topic": ["mobilitat", "reparieren-und-teilen"]},
                ["repair-cafe", "rollender-dorfladen"],
            ),
            ({"topic": "gibt-es-nicht"}, []),
            ({"target_group": "seniorinnen-und-senioren"}, ["rollender-dorfladen"]),
            ({"transfer_format": "open_manual"}, ["rollender-dorfladen"]),
            ({"state": "SN"}, ["repair-cafe"]),
            ({"state": ["SN", "HE"]}, ["repair-cafe", "rollender-dorfladen"]),
            ({"setting": "rural"}, ["rollender-dorfladen"]),
            ({"readiness": "proven"}, ["rollender-dorfladen"]),
            ({"state": "HE", "setting": "urban"}, []),
            ({"q": "Dorfladen"}, ["rollender-dorfladen"]),
            ({"q": "Geheimes"}, []),
            ({"q": "   "}, ["geschlossen", "repair-cafe", "rollender-dorfladen"]),
        ],
    )
    def test_projects_are_filtered(self, client, open_data, params, expected):
        response = get(client, "/api/v1/projects/", **params)

        assert response.status_code == 200
        assert sorted(slugs(response)) == expected

    @pytest.mark.parametrize(
        ("params", "expected"),
        [
            ({"has_capacity": "true"}, ["rollender-dorfladen"]),
            ({"has_capacity": "false"}, ["repair-cafe"]),
            ({"setting": "urban"}, ["repair-cafe"]),
            ({"component": "mentoring"}, ["repair-cafe", "rollender-dorfladen"]),
            ({"component": "starter_kit"}, []),
            ({"topic": "mobilitat"}, ["rollender-dorfladen"]),
            ({"state": "SN"}, ["repair-cafe"]),
        ],
    )
    def test_offers_are_filtered(self, client, open_data, params, expected):
        offers = get(client, "/api/v1/offers/", **params).json()["results"]

        assert sorted(offer["project"]["slug"] for offer in offers) == expected

    def test_sites_are_filtered_by_state_and_status(self, client, open_data):
        sites = get(client, "/api/v1/sites/", state="SN", status="active").json()["results"]

        assert [site["project"] for site in sites] == ["repair-cafe"]
        assert get(client, "/api/v1/sites/", status="ended").json()["count"] == 0

    def test_organisations_are_filtered_by_state(self, client, open_data):
        response = get(client, "/api/v1/organisations/", state="HE")

        assert slugs(response) == ["dorfleben"]

    @pytest.mark.parametrize(
        ("url", "params", "invalid"),
        [
            ("/api/v1/projects/", {"state": "XX"}, ["state"]),
            ("/api/v1/projects/", {"setting": "mars", "readiness": "1"}, ["readiness", "setting"]),
            ("/api/v1/projects/", {"topic": "<script>"}, ["topic"]),
            ("/api/v1/projects/", {"transfer_format": "fax"}, ["transfer_format"]),
            ("/api/v1/projects/", {"state": ["BY"] * 51}, ["state"]),
            ("/api/v1/offers/", {"has_capacity": "vielleicht"}, ["has_capacity"]),
            ("/api/v1/offers/", {"has_capacity": ""}, ["has_capacity"]),
            ("/api/v1/offers/", {"component": "geld"}, ["component"]),
            ("/api/v1/sites/", {"status": "kaputt"}, ["status"]),
            ("/api/v1/organisations/", {"kind": "partei"}, ["kind"]),
        ],
    )
    def test_an_invalid_filter_value_is_a_400_naming_it(
        self, client, open_data, url, params, invalid
    ):
        response = get(client, url, **params)

        assert response.status_code == 400
        body = response.json()
        assert sorted(body) == invalid
        assert all(isinstance(message, str) for messages in body.values() for message in messages)

    def test_a_search_for_nothing_but_punctuation_finds_nothing_without_error(
        self, client, open_data
    ):
        response = get(client, "/api/v1/projects/", q='"*) OR ( NEAR \x00')

        assert response.status_code == 200
        assert response.json()["count"] == 0

    def test_unknown_parameters_are_ignored(self, client, open_data):
        assert get(client, "/api/v1/projects/", colour="blue").json()["count"] == 3


class TestPagination:
    def test_limit_and_offset_page_through_the_list(self, client, open_data):
        first = get(client, "/api/v1/projects/", limit=2).json()
        second = get(client, "/api/v1/projects/", limit=2, offset=2).json()

        assert first["count"] == second["count"] == 3
        assert len(first["results"]) == 2
        assert len(second["results"]) == 1
        assert first["next"] == "http://testserver/api/v1/projects/?limit=2&offset=2"
        assert second["next"] is None
        all_slugs = [p["slug"] for p in first["results"] + second["results"]]
        assert sorted(all_slugs) == ["geschlossen", "repair-cafe", "rollender-dorfladen"]

    def test_an_offset_beyond_the_end_gives_an_empty_page(self, client, open_data):
        response = get(client, "/api/v1/projects/", offset=10**30)

        assert response.status_code == 200
        assert response.json()["results"] == []

    @pytest.mark.parametrize(
        "params",
        [
            {"limit": 201},
            {"limit": 0},
            {"limit": -1},
            {"limit": "viele"},
            {"limit": ""},
            {"offset": -5},
            {"offset": "1.5"},
        ],
    )
    def test_a_limit_or_offset_out_of_range_is_a_400(self, client, open_data, params):
        response = get(client, "/api/v1/sites/", **params)

        assert response.status_code == 400
        assert list(response.json()) == list(params)

    def test_the_largest_page_has_200_records(self, client, open_data):
        assert get(client, "/api/v1/sites/", limit=200).status_code == 200


class TestNotFound:
    @pytest.mark.parametrize(
        "url",
        [
            "/api/v1/projects/gibt-es-nicht/",
            "/api/v1/projects/gibt-es-nicht/sites/",
            "/api/v1/organisations/gibt-es-nicht/",
            "/api/v1/offers/gibt-es-nicht/",
            "/api/v1/sites/987654/",
            f"/api/v1/sites/{10**30}/",
        ],
    )
    def test_an_unknown_slug_or_id_is_a_json_404(self, client, open_data, url):
        response = get(client, url)

        assert response.status_code == 404
        assert set(response.json()) == {"detail"}


class TestReadOnly:
    @pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
    def test_writes_are_not_allowed(self, client, open_data, method):
        response = getattr(client, method)(
            "/api/v1/projects/rollender-dorfladen/",
            data=json.dumps({"title": "Übernommen"}),
            content_type="application/json",
        )

        assert response.status_code == 405
        assert get(client, "/api/v1/projects/rollender-dorfladen/").json()["title"] == (
            "Rollender Dorfladen"
        )

    def test_a_logged_in_person_sees_the_same_public_data(self, client, open_data):
        client.force_login(open_data.admin)

        assert get(client, "/api/v1/projects/geheimes-vorhaben/").status_code == 404
        assert get(client, "/api/v1/projects/").json()["count"] == 3


class TestDescription:
    def test_the_schema_describes_every_endpoint_in_openapi_3(self, client):
        response = client.get("/api/v1/schema/")

        assert response.status_code == 200
        assert response["Content-Type"].startswith("application/vnd.oai.openapi+json")
        schema = response.json()
        assert schema["openapi"].startswith("3.")
        assert sorted(schema["paths"]) == [
            "/api/v1/offers/",
            "/api/v1/offers/{slug}/",
            "/api/v1/organisations/",
            "/api/v1/organisations/{slug}/",
            "/api/v1/projects/",
            "/api/v1/projects/{slug}/",
            "/api/v1/projects/{slug}/sites/",
            "/api/v1/sites/",
            "/api/v1/sites/{id}/",
        ]

    def test_the_schema_is_also_served_as_yaml(self, client):
        response = client.get("/api/v1/schema.yaml")

        assert response.status_code == 200
        assert response.content.startswith(b"openapi: 3.")

    def test_the_root_lists_the_collections(self, client):
        response = get(client, "/api/v1/")

        assert sorted(response.json()) == ["offers", "organisations", "projects", "sites"]

    def test_an_unknown_address_under_the_api_is_a_json_404(self, client):
        response = get(client, "/api/v1/projekte/")

        assert response.status_code == 404
        assert set(response.json()) == {"detail"}
