import pytest
from django.core.exceptions import ValidationError

from apps.places.selectors import (
    municipality_candidates,
    municipality_from_ags,
    municipality_from_id,
    municipality_from_label,
)
from tests.factories import MunicipalityFactory

pytestmark = pytest.mark.django_db


def test_an_official_key_finds_its_municipality():
    kassel = MunicipalityFactory(name="Kassel", state="HE", ags="06611000")
    assert municipality_from_ags("06611000") == kassel
    assert municipality_from_ags(" 06611000 ") == kassel


def test_an_unknown_or_malformed_official_key_finds_nothing():
    MunicipalityFactory(name="Kassel", state="HE", ags="06611000")
    assert municipality_from_ags("06611001") is None
    assert municipality_from_ags("6611000") is None
    assert municipality_from_ags("") is None


def test_a_key_shared_by_a_city_and_its_districts_means_the_city():
    berlin = MunicipalityFactory(name="Berlin", state="BE", population=3_600_000, ags="11000000")
    MunicipalityFactory(name="Moabit", state="BE", population=77_000, ags="11000000")
    assert municipality_from_ags("11000000") == berlin


def test_an_official_key_has_eight_digits():
    place = MunicipalityFactory.build(ags="0661100")
    with pytest.raises(ValidationError) as raised:
        place.full_clean(exclude=["slug"])
    assert "ags" in raised.value.message_dict


def test_a_name_with_a_bracket_that_is_no_state_resolves():
    frankfurt = MunicipalityFactory(name="Frankfurt (Oder)", state="BB")
    assert municipality_from_label("Frankfurt (Oder)") == frankfurt
    assert municipality_from_label("Frankfurt (Oder) (Brandenburg)") == frankfurt


def test_a_full_name_that_looks_like_a_label_resolves():
    neustadt = MunicipalityFactory(name="Neustadt (Hessen)", state="HE")
    assert municipality_from_label("Neustadt (Hessen)") == neustadt
    assert municipality_from_label("Neustadt (Hesse)") == neustadt
    assert municipality_from_label("Neustadt (Hessen) (Hessen)") == neustadt
    assert municipality_from_label("Neustadt (Bayern)") is None


def test_a_state_code_works_as_the_label_bracket():
    in_hamburg = MunicipalityFactory(name="Neustadt", state="HH", population=12_000)
    MunicipalityFactory(name="Neustadt", state="TH", population=700)
    assert municipality_from_label("Neustadt (HH)") == in_hamburg


def test_candidates_are_every_place_of_a_plain_name_largest_first():
    small = MunicipalityFactory(name="Neustadt", state="TH", population=700)
    large = MunicipalityFactory(name="Neustadt", state="HH", population=12_000)
    assert list(municipality_candidates("neustadt")) == [large, small]
    assert list(municipality_candidates("Neustadt (Thüringen)")) == [small]


def test_a_key_finds_its_place_and_anything_else_finds_nothing():
    place = MunicipalityFactory(name="Kassel", state="HE")
    assert municipality_from_id(place.pk) == place
    assert municipality_from_id(str(place.pk)) == place
    for other in ("1" * 5_000, str(2**63), 2**63, -1, 0, "", "1.5", "٣", "a\x00b", None, True):
        assert municipality_from_id(other) is None, other


def test_an_official_key_has_ascii_digits_only():
    MunicipalityFactory(name="Kassel", state="HE", ags="06611000")
    assert municipality_from_ags("٠٦٦١١٠٠٠") is None
    assert municipality_from_ags("06611000\n") is not None


def test_a_label_with_nul_bytes_resolves_without_them():
    kassel = MunicipalityFactory(name="Kassel", state="HE")
    assert municipality_from_label("Kas\x00sel") == kassel
    assert list(municipality_candidates("\x00")) == []
