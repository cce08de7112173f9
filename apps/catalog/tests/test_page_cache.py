import pytest
from django.urls import reverse

from apps.catalog.models import Project
from apps.catalog.services import project_approve, project_update
from tests.factories import MembershipFactory, ProjectFactory, moderator

pytestmark = pytest.mark.django_db
CATALOG = reverse("catalog:project_list")


def test_anonymous_visitors_get_the_cached_page_without_queries(client, django_assert_num_queries):
    ProjectFactory(title="Repair-Café")
    client.get(CATALOG)
    with django_assert_num_queries(2):  # catalog version and page, both from the shared cache
        response = client.get(CATALOG)
    assert "Repair-Café" in response.content.decode()


def test_a_publication_shows_up_at_once_for_anonymous_visitors(
    client, django_capture_on_commit_callbacks
):
    client.get(CATALOG)
    project = ProjectFactory(title="Neu im Katalog", status=Project.Status.PENDING)
    with django_capture_on_commit_callbacks(execute=True):
        project_approve(project=project, moderator=moderator())
    assert "Neu im Katalog" in client.get(CATALOG).content.decode()


def test_an_edit_shows_up_at_once_on_the_project_page(client, django_capture_on_commit_callbacks):
    project = ProjectFactory(title="Alter Titel")
    client.get(project.get_absolute_url())
    with django_capture_on_commit_callbacks(execute=True):
        project_update(project=project, title="Neuer Titel")
    assert "Neuer Titel" in client.get(project.get_absolute_url()).content.decode()


def test_logged_in_members_always_get_a_fresh_page_with_their_tools(client):
    project = ProjectFactory()
    client.get(project.get_absolute_url())
    client.force_login(MembershipFactory(organisation=project.organisation).user)
    assert "Projekt bearbeiten" in client.get(project.get_absolute_url()).content.decode()


def test_each_language_is_cached_on_its_own(client):
    ProjectFactory()
    assert "Projektkatalog" in client.get(CATALOG).content.decode()
    assert "Project catalog" in client.get("/en" + CATALOG).content.decode()
    assert "Projektkatalog" in client.get(CATALOG).content.decode()
