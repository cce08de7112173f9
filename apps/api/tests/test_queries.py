"""Each list costs the same number of queries for 2 records as for 10."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.catalog.models import Site, TargetGroup, Topic, TransferFormat
from tests.factories import MembershipFactory, MunicipalityFactory, ProjectFactory

from .conftest import offer

pytestmark = pytest.mark.django_db

# count, page, and one query per prefetched relation at most
MAX_QUERIES = 6


def add_projects(count: int) -> None:
    """Published projects with all their relations filled: terms, a copy site, an offer."""
    topics = list(Topic.objects.filter(slug__in=["arbeit-und-qualifizierung", "wohnen"]))
    target_groups = list(TargetGroup.objects.all()[:2])
    for _ in range(count):
        project = ProjectFactory(topics=topics, target_groups=target_groups)
        project.transfer_formats.set(TransferFormat.objects.all())
        Site.objects.create(
            project=project,
            municipality=MunicipalityFactory(),
            operator_name="Nachbarschaftshilfe",
            copied_from=project.sites.get(),
        )
        admin = MembershipFactory(organisation=project.organisation).user
        offer(project, admin)


def queries_for(client, url: str) -> int:
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
    assert response.status_code == 200
    assert response.json().get("count", 1) > 0, "an empty page would skip the prefetches"
    return len(context.captured_queries)


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/projects/",
        "/api/v1/projects/?topic=arbeit-und-qualifizierung&topic=bildung&state=NW&q=Projekt",
        "/api/v1/sites/",
        "/api/v1/organisations/",
        "/api/v1/offers/",
        "/api/v1/offers/?has_capacity=true&component=manual",
    ],
)
def test_a_list_costs_the_same_queries_for_2_and_10_records(client, url):
    add_projects(2)
    few = queries_for(client, url)
    add_projects(8)
    many = queries_for(client, url)

    assert few == many <= MAX_QUERIES


def test_the_sites_of_a_project_cost_the_same_queries_for_2_and_10_sites(client):
    add_projects(1)
    project = Site.objects.get(copied_from=None).project
    url = f"/api/v1/projects/{project.slug}/sites/"
    few = queries_for(client, url)
    for _ in range(8):
        Site.objects.create(project=project, municipality=MunicipalityFactory())
    many = queries_for(client, url)

    assert few == many <= MAX_QUERIES


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/projects/{slug}/",
        "/api/v1/offers/{slug}/",
    ],
)
def test_a_record_costs_a_fixed_number_of_queries(client, url):
    add_projects(1)
    slug = Site.objects.get(copied_from=None).project.slug

    assert queries_for(client, url.format(slug=slug)) <= 4
