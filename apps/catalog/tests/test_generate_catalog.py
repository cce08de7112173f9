import pytest
from django.core.management import call_command
from django.db.models import Count, Q
from django.http import QueryDict

from apps.catalog.models import Project, Site
from apps.catalog.selectors import catalog_search
from apps.places.models import Municipality

PLACES = [
    ("Hamminkeln", "NW", 51.73, 6.59, 27_000, "medium_town"),
    ("Schermbeck", "NW", 51.69, 6.87, 13_600, "small_town"),
    ("Raesfeld", "NW", 51.77, 6.84, 11_400, "small_town"),
    ("Drolshagen", "NW", 51.02, 7.77, 11_900, "small_town"),
    ("Hallenberg", "NW", 51.11, 8.62, 4_400, "rural"),
    ("Lüdersdorf", "MV", 53.81, 10.84, 4_900, "rural"),
]


@pytest.fixture
def municipalities():
    return [
        Municipality.objects.create(
            name=name,
            slug=name.lower(),
            state=state,
            latitude=latitude,
            longitude=longitude,
            population=population,
            settlement_type=settlement_type,
        )
        for name, state, latitude, longitude, population, settlement_type in PLACES
    ]


@pytest.fixture
def generated(municipalities):
    call_command("generate_catalog", projects=30, seed=7)
    return Project.objects.all()


@pytest.mark.django_db
def test_generates_the_requested_number_of_published_projects(generated):
    assert generated.count() == 30
    assert generated.published().count() == 30
    assert all(project.published_at is not None for project in generated)
    assert len({project.slug for project in generated}) == 30
    assert len({project.title for project in generated}) == 30


@pytest.mark.django_db
def test_every_project_has_its_origin_site_at_its_municipality(generated):
    for project in generated:
        origins = project.sites.filter(is_origin=True)
        assert origins.count() == 1
        assert origins.get().municipality_id == project.municipality_id


@pytest.mark.django_db
def test_copies_point_at_sites_of_the_same_project(generated):
    copies = Site.objects.filter(is_origin=False)
    assert copies.exists()
    for site in copies.select_related("copied_from"):
        assert site.copied_from is not None
        assert site.copied_from.project_id == site.project_id


@pytest.mark.django_db
def test_active_site_count_matches_the_active_sites(generated):
    counted = generated.annotate(active=Count("sites", filter=Q(sites__status=Site.Status.ACTIVE)))
    assert [(p.active_site_count, p.active) for p in counted] == [
        (p.active, p.active) for p in counted
    ]


@pytest.mark.django_db
def test_catalog_search_finds_generated_projects(generated):
    project = generated.order_by("id").first()
    word = project.title.split()[0]  # What the project is, e.g. "Dorfladen" or "Bürgerbus".

    result = catalog_search(params=QueryDict(f"q={word}"))

    found = list(result.projects)
    assert project in found
    assert len(found) == len({p.pk for p in found})


@pytest.mark.django_db
def test_texts_name_the_projects_own_place(generated):
    for project in generated.select_related("municipality"):
        assert project.municipality.name in project.title
        assert project.summary
        assert project.problem
        assert project.solution
