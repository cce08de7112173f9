from django.core.cache import cache
from django.db import connection
from django_tasks import task

STATISTICS_INTERVAL_SECONDS = 3600


def refresh_planner_statistics() -> None:
    """Let the query planner know the table sizes, as one does after any bulk load.

    Without statistics SQLite counts search results by walking all projects and asking the
    full-text index once per project: minutes instead of milliseconds at 100,000 projects.
    PostgreSQL's autovacuum keeps its own statistics.
    """
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


@task()
def refresh_planner_statistics_task() -> None:
    refresh_planner_statistics()


def schedule_planner_statistics() -> None:
    """After writes, refresh the statistics in the background, at most once an hour."""
    if connection.vendor == "sqlite" and cache.add(
        "db:statistics-scheduled", True, STATISTICS_INTERVAL_SECONDS
    ):
        refresh_planner_statistics_task.enqueue()
