import pytest
from django import forms
from django.urls import reverse

from apps.places.forms import MunicipalityField
from apps.places.models import FederalState, Municipality, SettlementType
from apps.places.selectors import municipality_from_label
from apps.places.services import curated_municipalities, municipalities_load
from tests.factories import MunicipalityFactory

pytestmark = pytest.mark.django_db


def test_settlement_type_follows_the_population():
    assert SettlementType.for_population(800) == SettlementType.RURAL
    assert SettlementType.for_population(12_000) == SettlementType.SMALL_TOWN
    assert SettlementType.for_population(60_000) == SettlementType.MEDIUM_TOWN
    assert SettlementType.for_population(600_000) == SettlementType.CITY


def test_curated_file_adds_villages_geonames_lacks():
    added = municipalities_load(sources=list(curated_municipalities()))
    bruenen = Municipality.objects.get(name="Brünen")
    assert added >= 1
    assert bruenen.state == FederalState.NORTH_RHINE_WESTPHALIA
    assert bruenen.district == "Kreis Wesel"
    assert bruenen.is_rural


def test_loading_twice_adds_nothing_new():
    municipalities_load(sources=list(curated_municipalities()))
    assert municipalities_load(sources=list(curated_municipalities())) == 0


def test_same_names_in_different_states_get_different_slugs():
    places = [
        Municipality(
            name="Neuenkirchen",
            state="NI",
            latitude=52.4,
            longitude=8.0,
            population=9000,
            geonames_id=1,
        ),
        Municipality(
            name="Neuenkirchen",
            state="NW",
            latitude=52.2,
            longitude=7.3,
            population=14000,
            geonames_id=2,
        ),
    ]
    municipalities_load(sources=places)
    assert set(Municipality.objects.values_list("slug", flat=True)) == {
        "neuenkirchen-ni",
        "neuenkirchen-nw",
    }


def test_a_label_with_the_state_picks_the_right_place():
    MunicipalityFactory(name="Neuenkirchen", state="NI", population=9000)
    in_nrw = MunicipalityFactory(name="Neuenkirchen", state="NW", population=14000)
    assert municipality_from_label("Neuenkirchen (Nordrhein-Westfalen)") == in_nrw
    assert municipality_from_label("Neuenkirchen") == in_nrw
    assert municipality_from_label("Atlantis") is None
    assert municipality_from_label("") is None


def test_suggestions_offer_the_largest_places_first(client):
    MunicipalityFactory(name="Hamm", population=180_000)
    MunicipalityFactory(name="Hamminkeln", population=27_000)
    MunicipalityFactory(name="Bonn", population=300_000)
    page = client.get(reverse("places:suggestions"), {"q": "Ham"}).content.decode()
    assert page.index("Hamm (") < page.index("Hamminkeln (")
    assert "Bonn" not in page


def test_suggestions_as_json(client):
    MunicipalityFactory(name="Hamminkeln", population=27_000)
    data = client.get(reverse("places:suggestions"), {"q": "hamm", "format": "json"}).json()
    assert [result["label"].split(" (")[0] for result in data["results"]] == ["Hamminkeln"]


def test_suggestions_ignore_too_short_or_huge_input(client):
    MunicipalityFactory(name="Hamminkeln")
    assert client.get(reverse("places:suggestions"), {"q": "H"}).content.strip() == b""
    assert client.get(reverse("places:suggestions"), {"q": "H" * 10_000}).status_code == 200


class PlaceForm(forms.Form):
    municipality = MunicipalityField()


@pytest.mark.parametrize("typed", ["1" * 5_000, str(2**63), "9" * 19, "٣", "0"])
def test_digits_that_name_no_place_are_refused_with_the_usual_error(typed):
    MunicipalityFactory(name="Hamminkeln")
    form = PlaceForm({"municipality": typed})
    assert not form.is_valid()
    page = str(form)  # the refused form is shown again
    assert "Den Ort „" in page
    assert "kennen wir nicht" in page


def test_a_place_given_by_its_key_shows_its_label():
    place = MunicipalityFactory(name="Hamminkeln", state="NW")
    assert place.label in str(PlaceForm(initial={"municipality": place.pk}))


def test_typed_digits_come_back_as_typed_not_as_the_place_with_that_key():
    place = MunicipalityFactory(name="Zittau", state="SN")
    form = PlaceForm({"municipality": str(place.pk)})  # e.g. a postcode typed by mistake
    assert not form.is_valid()
    page = str(form)
    assert place.label not in page
    assert f'value="{place.pk}"' in page


def test_suggestions_ignore_nul_bytes(client):
    place = MunicipalityFactory(name="Hamminkeln")
    url = reverse("places:suggestions")
    assert client.get(url, {"q": "\x00" * 50}).status_code == 200
    results = client.get(url, {"q": "Ha\x00mm", "format": "json"}).json()["results"]
    assert [result["label"] for result in results] == [place.label]
