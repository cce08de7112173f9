import pytest
from django.core.exceptions import ValidationError

from apps.catalog import services
from apps.catalog.models import Project, Site, TargetGroup, Topic
from apps.search.selectors import projects_matching
from tests.factories import (
    MunicipalityFactory,
    OrganisationFactory,
    ProjectFactory,
    UserFactory,
    moderator,
)

pytestmark = pytest.mark.django_db


def new_project(**overrides) -> Project:
    fields = {
        "organisation": OrganisationFactory(),
        "created_by": UserFactory(),
        "topics": Topic.objects.filter(slug="reparieren-und-teilen"),
        "target_groups": TargetGroup.objects.filter(slug="familien"),
        "title": "Repair-Café Südstadt",
        "summary": "Gemeinsam reparieren statt wegwerfen.",
        "problem": "Geräte landen zu früh im Müll.",
        "solution": "Einmal im Monat reparieren Ehrenamtliche mit Gästen.",
        "municipality": MunicipalityFactory(name="Südstadt"),
        "founded_year": 2016,
    }
    return services.project_create(**(fields | overrides))


def test_a_new_project_waits_for_moderation_and_starts_with_its_origin_site():
    project = new_project()
    assert project.status == Project.Status.PENDING
    origin = project.sites.get()
    assert origin.is_origin
    assert origin.municipality == project.municipality
    assert origin.started_on.year == 2016
    assert project.active_site_count == 1


def test_a_new_project_is_in_the_search_index_at_once():
    project = new_project()
    assert list(projects_matching(Project.objects.all(), "Reparieren")) == [project]


def test_an_invalid_project_writes_nothing():
    with pytest.raises(ValidationError):
        new_project(title="x" * 500)
    assert not Project.objects.exists()
    assert not Site.objects.exists()


def test_approving_publishes_and_rejecting_needs_a_reason():
    project = new_project()
    with pytest.raises(ValidationError):
        services.project_reject(project=project, moderator=moderator(), note="  ")
    project.refresh_from_db()
    assert project.status == Project.Status.PENDING
    services.project_approve(project=project, moderator=moderator())
    project.refresh_from_db()
    assert project.status == Project.Status.PUBLISHED
    assert project.published_at is not None


def test_approving_twice_is_refused():
    project = ProjectFactory()
    with pytest.raises(ValidationError):
        services.project_approve(project=project, moderator=moderator())


def test_sites_keep_the_active_count_in_step():
    project = ProjectFactory()
    copy = services.site_create(
        project=project, municipality=MunicipalityFactory(), status=Site.Status.ACTIVE
    )
    services.site_create(
        project=project, municipality=MunicipalityFactory(), status=Site.Status.PLANNED
    )
    project.refresh_from_db()
    assert project.active_site_count == 2
    services.site_update(site=copy, status=Site.Status.ENDED, ended_on=copy.created_at.date())
    project.refresh_from_db()
    assert project.active_site_count == 1


def test_a_site_cannot_be_copied_from_another_project():
    project, other = ProjectFactory(), ProjectFactory()
    with pytest.raises(ValidationError):
        services.site_create(
            project=project, municipality=MunicipalityFactory(), copied_from=other.sites.get()
        )
    assert project.sites.count() == 1


def test_a_site_cannot_be_copied_from_its_own_copy():
    project = ProjectFactory()
    first = services.site_create(
        project=project, municipality=MunicipalityFactory(), copied_from=project.sites.get()
    )
    second = services.site_create(
        project=project, municipality=MunicipalityFactory(), copied_from=first
    )
    with pytest.raises(ValidationError):
        services.site_update(site=first, copied_from=second)


def test_the_origin_site_cannot_be_deleted():
    project = ProjectFactory()
    with pytest.raises(ValidationError):
        services.site_delete(site=project.sites.get())
    assert project.sites.count() == 1


def test_a_site_cannot_end_before_it_started():
    project = ProjectFactory()
    with pytest.raises(ValidationError):
        services.site_create(
            project=project,
            municipality=MunicipalityFactory(),
            started_on="2020-05-01",
            ended_on="2019-01-01",
        )
