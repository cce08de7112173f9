import json
import re
from functools import lru_cache
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import translation

from apps.catalog.imports import import_projects, validate_records
from apps.catalog.models import Project, Setting, Site
from apps.organisations.models import Organisation
from apps.places.models import Municipality
from apps.places.services import geonames_municipalities, municipalities_load
from apps.search.selectors import projects_matching
from tests.factories import MunicipalityFactory, OrganisationFactory, ProjectFactory

pytestmark = pytest.mark.django_db

EXAMPLE = Path(settings.BASE_DIR) / "docs" / "examples" / "projects.json"


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@lru_cache(maxsize=1)
def _example_place_rows() -> tuple[dict, ...]:
    """The real GeoNames places sharing a name with a place of the example file."""
    text = EXAMPLE.read_text(encoding="utf-8")
    names = set()
    for value in re.findall(r'"(?:municipality|copied_from)": "([^"]+)"', text):
        names.update({value, value.split(" (")[0]})
    fields = ["name", "state", "latitude", "longitude", "population", "geonames_id", "source"]
    return tuple(
        {name: getattr(place, name) for name in fields}
        for place in geonames_municipalities()
        if place.name in names
    )


@pytest.fixture
def example_places():
    """Loaded through the real loader, with all their namesakes (three Lauterbachs)."""
    municipalities_load(sources=[Municipality(**row) for row in _example_place_rows()])


@pytest.fixture
def places():
    return {
        name: MunicipalityFactory(name=name, state=state, population=population)
        for name, state, population in [
            ("Hamminkeln", "NW", 27_000),
            ("Wesel", "NW", 60_000),
            ("Xanten", "NW", 21_000),
        ]
    }


def record(**overrides) -> dict:
    data = {
        "title": "Repair-Café Hamminkeln",
        "summary": "Gemeinsam reparieren statt wegwerfen.",
        "problem": "Geräte landen zu früh im Müll.",
        "solution": "Einmal im Monat reparieren Ehrenamtliche mit Gästen.",
        "topics": ["reparieren-und-teilen"],
        "target_groups": ["Familien"],
        "municipality": "Hamminkeln",
        "founded_year": 2016,
        "organisation": "Repair-Café Hamminkeln e. V.",
    }
    return {**data, **overrides}


def run(tmp_path, data, *args) -> str:
    path = tmp_path / "projects.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return run_file(path, *args)


def run_file(path, *args) -> str:
    out = StringIO()
    call_command("import_projects", str(path), *args, stdout=out, verbosity=0)
    return out.getvalue()


def failure(tmp_path, data, *args) -> str:
    with pytest.raises(CommandError) as raised:
        run(tmp_path, data, *args)
    assert not Project.objects.exists()
    return str(raised.value)


# The example file


def test_the_example_file_imports_its_projects_for_review(example_places):
    output = run_file(EXAMPLE)
    assert "Imported 3 projects with 10 sites." in output
    assert Project.objects.count() == 3
    assert set(Project.objects.values_list("status", flat=True)) == {Project.Status.PENDING}
    fahrdienst = Project.objects.get(title__startswith="Dorfauto Vogelsberg")
    assert fahrdienst.setting == Setting.RURAL
    assert fahrdienst.municipality.label == "Alsfeld (Hesse)"
    assert fahrdienst.organisation.name == "Dorfauto Vogelsberg e. V."
    assert fahrdienst.organisation.municipality == fahrdienst.municipality
    assert {topic.slug for topic in fahrdienst.topics.all()} == {
        "mobilitat",
        "nachbarschaft-und-engagement",
    }
    assert {group.slug for group in fahrdienst.target_groups.all()} == {
        "seniorinnen-und-senioren",
        "ehrenamtliche",
    }
    assert fahrdienst.active_site_count == 3  # origin, Lauterbach, Schotten


def test_the_example_file_keeps_the_chain_of_who_copied_from_whom(example_places):
    run_file(EXAMPLE)
    sites = {
        site.municipality.name: site
        for site in Site.objects.filter(project__title__startswith="Dorfauto").select_related(
            "municipality", "copied_from__municipality"
        )
    }
    assert sites["Alsfeld"].is_origin
    assert sites["Lauterbach"].municipality.state == "HE"  # not the one in Thuringia
    assert sites["Lauterbach"].copied_from == sites["Alsfeld"]
    assert sites["Schotten"].copied_from == sites["Lauterbach"]
    assert sites["Neustadt (Hessen)"].copied_from == sites["Schotten"]
    assert sites["Neustadt (Hessen)"].status == Site.Status.PLANNED
    romrod = sites["Romrod"]
    assert (romrod.status, str(romrod.started_on), str(romrod.ended_on)) == (
        "ended",
        "2019-05-01",
        "2022-12-31",
    )
    assert str(sites["Schotten"].started_on) == "2020-01-01"
    witzenhausen = Site.objects.get(municipality__name="Witzenhausen")
    assert witzenhausen.copied_from.is_origin


def test_imported_projects_are_found_by_search(example_places):
    run_file(EXAMPLE)
    found = projects_matching(Project.objects.all(), "Schulgarten Ferien gießen")
    assert [project.title for project in found] == ["Schulgarten-Netzwerk Kassel"]


def test_publish_publishes_every_imported_project(example_places):
    run_file(EXAMPLE, "--publish")
    assert Project.objects.published().count() == 3
    assert not Project.objects.filter(published_at=None).exists()


def test_a_dry_run_reports_what_it_would_import_and_writes_nothing(example_places):
    output = run_file(EXAMPLE, "--dry-run")
    assert "Would import 3 projects with 10 sites" in output
    assert "Sprachcafé Eschwege – Eschwege (Hesse) (1 site)" in output
    assert "new organisation: Grünes Klassenzimmer Kassel e. V." in output
    assert not Project.objects.exists()
    assert not Organisation.objects.exists()


# All or nothing


def test_one_bad_record_among_good_ones_writes_nothing_and_names_record_and_field(tmp_path, places):
    data = [
        record(title="Erstes Projekt"),
        record(title="Zweites Projekt"),
        record(title="Drittes Projekt", municipality="Xyzhausen"),
        record(title="Viertes Projekt"),
    ]
    message = failure(tmp_path, data)
    assert 'Record 3 ("Drittes Projekt"): municipality: no municipality named “Xyzhausen”.' in (
        message
    )
    assert "nothing was imported" in message
    assert not Organisation.objects.exists()
    assert not Site.objects.exists()


def test_every_error_of_the_file_is_reported_at_once(tmp_path, places):
    data = [
        record(title="Erstes Projekt", founded_year=1850),
        record(title="Zweites Projekt", topics=["Raumfahrt"]),
    ]
    message = failure(tmp_path, data)
    assert "The file has 2 errors" in message
    assert 'Record 1 ("Erstes Projekt"): founded_year:' in message
    assert 'Record 2 ("Zweites Projekt"): topics: unknown topic “Raumfahrt”.' in message


# Each kind of error


def test_a_file_that_is_not_json_is_refused(tmp_path):
    path = tmp_path / "broken.json"
    path.write_text('[{"title": "Halb"', encoding="utf-8")
    with pytest.raises(CommandError, match=r"not valid JSON \(line 1, column 18"):
        run_file(path)


def test_a_missing_file_is_refused(tmp_path):
    with pytest.raises(CommandError, match="There is no file"):
        run_file(tmp_path / "missing.json")


@pytest.mark.parametrize("data", [{"title": "Ein Projekt"}, "Projekte", 42, {"projects": {}}])
def test_a_file_without_a_list_of_projects_is_refused(tmp_path, data):
    assert "must hold a list of projects" in failure(tmp_path, data)


def test_an_empty_list_is_refused(tmp_path):
    assert "The file holds no projects." in failure(tmp_path, [])


def test_projects_may_come_wrapped_in_an_object(tmp_path, places):
    output = run(tmp_path, {"projects": [record()], "source": "Tabelle 2025"})
    assert "Imported 1 project with 1 site." in output


def test_a_record_that_is_not_an_object_is_refused(tmp_path, places):
    assert "Record 2: must be an object, not a list." in failure(tmp_path, [record(), ["x"]])


@pytest.mark.parametrize(
    ("field", "length", "limit"),
    [("title", 141, 140), ("summary", 401, 400), ("problem", 10_001, 10_000)],
)
def test_texts_longer_than_the_catalog_allows_are_refused(tmp_path, places, field, length, limit):
    message = failure(tmp_path, [record(**{field: "x" * length})])
    assert f"{field}: is {length} characters long; at most {limit} are allowed." in message


def test_a_long_site_text_is_refused(tmp_path, places):
    data = [record(sites=[{"municipality": "Wesel", "adaptation": "x" * 5001}])]
    assert "site 1, adaptation: is 5001 characters long" in failure(tmp_path, data)


@pytest.mark.parametrize("field", ["title", "summary", "problem", "solution", "founded_year"])
def test_a_missing_required_field_is_refused(tmp_path, places, field):
    data = record()
    del data[field]
    assert f"{field}: this field is required." in failure(tmp_path, [data])


def test_a_blank_required_text_is_refused(tmp_path, places):
    assert "summary: this field is required and must not be empty." in failure(
        tmp_path, [record(summary="   ")]
    )


def test_a_misspelt_field_is_refused_rather_than_lost(tmp_path, places):
    message = failure(tmp_path, [record(imapct="Viel erreicht.")])
    assert "imapct: unknown field" in message


def test_an_unknown_topic_is_refused_with_a_suggestion(tmp_path, places):
    message = failure(tmp_path, [record(topics=["Reparieren und Teile"])])
    assert "topics: unknown topic “Reparieren und Teile”." in message
    assert "Did you mean “Reparieren und Teilen” (reparieren-und-teilen)?" in message


def test_an_unknown_target_group_is_refused(tmp_path, places):
    assert "target_groups: unknown target group “Astronauten”." in failure(
        tmp_path, [record(target_groups=["Familien", "Astronauten"])]
    )


def test_a_project_needs_a_topic(tmp_path, places):
    assert "topics: give at least one topic." in failure(tmp_path, [record(topics=[])])


def test_an_unknown_transfer_format_lists_the_allowed_codes(tmp_path, places):
    message = failure(tmp_path, [record(transfer_formats=["franchise"])])
    assert (
        'transfer_formats: "franchise" is not allowed; use one of "open_manual", "licence", '
        '"cooperation", "consulting".'
    ) in message


@pytest.mark.parametrize(
    ("field", "value"),
    [("readiness", "soon"), ("licence", "gpl-3.0"), ("setting", "suburban")],
)
def test_a_value_outside_the_allowed_ones_is_refused(tmp_path, places, field, value):
    assert f'{field}: "{value}" is not allowed; use one of' in failure(
        tmp_path, [record(**{field: value})]
    )


def test_an_ambiguous_municipality_name_lists_the_candidates(tmp_path):
    MunicipalityFactory(name="Neustadt", state="HH", population=12_000)
    MunicipalityFactory(name="Neustadt", state="TH", population=700)
    message = failure(tmp_path, [record(municipality="Neustadt")])
    assert (
        "municipality: “Neustadt” is ambiguous; write one of: Neustadt (Hamburg); "
        "Neustadt (Thuringia)."
    ) in message


def test_a_label_with_the_state_in_german_or_english_resolves(tmp_path):
    MunicipalityFactory(name="Neustadt", state="HH", population=12_000)
    in_thuringia = MunicipalityFactory(name="Neustadt", state="TH", population=700)
    data = [
        record(title="Eins", municipality="Neustadt (Thüringen)"),
        record(title="Zwei", municipality="Neustadt (Thuringia)", organisation="Zwei e. V."),
    ]
    run(tmp_path, data)
    assert set(Project.objects.values_list("municipality", flat=True)) == {in_thuringia.pk}


def test_a_place_whose_name_carries_its_state_resolves_in_either_language(tmp_path):
    neustadt = MunicipalityFactory(name="Neustadt (Hessen)", state="HE")
    data = [
        record(title="Eins", municipality="Neustadt (Hessen)"),
        record(title="Zwei", municipality="Neustadt (Hesse)"),
    ]
    run(tmp_path, data)
    assert set(Project.objects.values_list("municipality", flat=True)) == {neustadt.pk}


def test_a_name_shared_within_one_state_takes_the_largest_and_says_so(tmp_path):
    larger = MunicipalityFactory(name="Hausen", state="BY", population=3_600)
    MunicipalityFactory(name="Hausen", state="BY", population=900)
    output = run(tmp_path, [record(municipality="Hausen (Bayern)")])
    assert Project.objects.get().municipality == larger
    assert "2 places in Bavaria are called “Hausen”; took the largest" in output


def test_an_official_municipality_key_resolves(tmp_path, places):
    kassel = MunicipalityFactory(name="Kassel", state="HE", ags="06611000")
    run(tmp_path, [record(municipality="06611000", sites=[{"municipality": "Wesel"}])])
    assert Project.objects.get().municipality == kassel


def test_an_unknown_official_municipality_key_is_refused(tmp_path, places):
    assert "municipality: no municipality has the official key 01234567" in failure(
        tmp_path, [record(municipality="01234567")]
    )


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        (1850, "1850 is not a year between 1900 and"),
        (2999, "2999 is not a year between 1900 and"),
        ("2015", 'must be a year as a whole number like 2015, not "2015".'),
        (2015.5, "must be a year as a whole number like 2015, not 2015.5."),
    ],
)
def test_an_invalid_founding_year_is_refused(tmp_path, places, value, problem):
    assert f"founded_year: {problem}" in failure(tmp_path, [record(founded_year=value)])


@pytest.mark.parametrize("value", ["2019-13", "19.05.2019", "2019-02-30", "1850"])
def test_an_invalid_site_date_is_refused(tmp_path, places, value):
    data = [record(sites=[{"municipality": "Wesel", "started": value}])]
    assert f'site 1, started: "{value}" is not a date like' in failure(tmp_path, data)


def test_a_site_cannot_end_before_it_started(tmp_path, places):
    site = {"municipality": "Wesel", "started": "2020", "ended": "2019-06", "status": "ended"}
    assert "site 1, ended: a site cannot end before it started." in failure(
        tmp_path, [record(sites=[site])]
    )


def test_an_ended_site_needs_its_end_date(tmp_path, places):
    site = {"municipality": "Wesel", "status": "ended"}
    assert 'site 1, ended: give the end date of a site with status "ended".' in failure(
        tmp_path, [record(sites=[site])]
    )


def test_a_site_can_only_be_copied_from_an_earlier_one(tmp_path, places):
    sites = [
        {"municipality": "Wesel", "copied_from": "Xanten"},
        {"municipality": "Xanten"},
    ]
    message = failure(tmp_path, [record(sites=sites)])
    assert "site 1, copied_from: no earlier site of this project is in Xanten" in message


def test_titles_must_be_unique_within_the_file(tmp_path, places):
    data = [record(), record(title=" repair-café  HAMMINKELN ")]
    message = failure(tmp_path, data)
    assert 'Record 2 ("repair-café  HAMMINKELN"): title: record 1 already has this title' in (
        message
    )


def test_a_title_the_catalog_already_has_is_refused(tmp_path, places):
    ProjectFactory(title="Repair-Café Hamminkeln")
    with pytest.raises(CommandError) as raised:
        run(tmp_path, [record()])
    assert "title: the catalog already has a project with this title." in str(raised.value)
    assert "Use --skip-existing to skip" in str(raised.value)
    assert Project.objects.count() == 1


def test_skip_existing_skips_known_titles_and_imports_the_rest(tmp_path, places):
    ProjectFactory(title="Repair-Café Hamminkeln")
    data = [record(), record(title="Repair-Café Wesel", municipality="Wesel")]
    output = run(tmp_path, data, "--skip-existing")
    assert 'Record 1 ("Repair-Café Hamminkeln"): skipped, the catalog already has' in output
    assert "Imported 1 project with 1 site." in output
    assert Project.objects.filter(title="Repair-Café Wesel").exists()


def test_an_invalid_email_or_website_is_refused(tmp_path, places):
    message = failure(tmp_path, [record(contact_email="kontakt at", website="www example")])
    assert "contact_email: Enter a valid email address." in message
    assert "website: Enter a valid URL." in message


# Details of the format


def test_rural_false_means_urban_and_no_setting_means_both(tmp_path, places):
    data = [
        record(title="Städtisch", rural=False),
        record(title="Überall", organisation="Überall e. V."),
    ]
    run(tmp_path, data)
    assert Project.objects.get(title="Städtisch").setting == Setting.URBAN
    assert Project.objects.get(title="Überall").setting == Setting.BOTH


def test_rural_and_setting_together_are_refused(tmp_path, places):
    assert 'rural: give either "rural" or "setting", not both.' in failure(
        tmp_path, [record(rural=True, setting="rural")]
    )


def test_markdown_is_stored_exactly_as_given(tmp_path, places):
    solution = "  Wir reparieren:\n\n- Toaster\n- Fahrräder <script>x</script>\n"
    run(tmp_path, [record(solution=solution)])
    assert Project.objects.get().solution == solution


def test_an_existing_organisation_is_reused_by_name(tmp_path, places):
    existing = OrganisationFactory(name="Repair-Café Hamminkeln e. V.")
    run(tmp_path, [record()])
    assert Project.objects.get().organisation == existing
    assert Organisation.objects.count() == 1


def test_a_new_organisation_named_twice_is_created_once(tmp_path, places):
    data = [record(title="Eins"), record(title="Zwei", municipality="Wesel")]
    run(tmp_path, data)
    organisation = Organisation.objects.get()
    assert organisation.municipality == places["Hamminkeln"]
    assert organisation.projects.count() == 2


def test_an_organisation_given_as_object_keeps_its_kind(tmp_path, places):
    run(tmp_path, [record(organisation={"name": "Dorfladen eG", "kind": "cooperative"})])
    assert Organisation.objects.get().kind == Organisation.Kind.COOPERATIVE


def test_the_organisation_option_makes_every_project_that_organisations(tmp_path, places):
    chosen = OrganisationFactory(slug="buergerstiftung")
    data = [record(title="Eins"), record(title="Zwei", organisation="Andere e. V.")]
    run(tmp_path, data, "--organisation", "buergerstiftung")
    assert set(Project.objects.values_list("organisation", flat=True)) == {chosen.pk}
    assert Organisation.objects.count() == 1


def test_an_unknown_organisation_option_is_refused(tmp_path, places):
    assert "There is no organisation with the slug “gibts-nicht”." in failure(
        tmp_path, [record()], "--organisation", "gibts-nicht"
    )


def test_the_services_can_be_used_without_the_command(places):
    plan = validate_records([record()])
    assert plan.errors == []
    result = import_projects(plan.records, publish=True)
    assert result.site_count == 1
    assert result.projects[0].status == Project.Status.PUBLISHED
