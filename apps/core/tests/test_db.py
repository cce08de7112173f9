import pytest
from django.db import connection

from apps.catalog.services import project_update
from tests.factories import ProjectFactory

pytestmark = pytest.mark.django_db


@pytest.mark.skipif(connection.vendor != "sqlite", reason="PostgreSQL's autovacuum analyses")
def test_a_write_gives_sqlite_fresh_planner_statistics(django_capture_on_commit_callbacks):
    """Without statistics SQLite picks a plan that makes search minutes slow on big catalogs."""
    project = ProjectFactory()
    with django_capture_on_commit_callbacks(execute=True):
        project_update(project=project, title="Neuer Titel")
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM sqlite_stat1 WHERE tbl = 'catalog_project'")
        assert cursor.fetchone()[0] > 0
