"""Writes to the search index, called by the services that write projects."""

from collections.abc import Iterable

from apps.catalog.models import Project
from apps.core.db import refresh_planner_statistics

from .backends import get_backend


def project_search_text(project: Project) -> tuple[int, str, str]:
    """(id, title, body) of a project; topics and target groups must be prefetched or cheap."""
    body = " ".join(
        [
            project.summary,
            project.problem,
            project.solution,
            project.impact,
            " ".join(topic.name for topic in project.topics.all()),
            " ".join(group.name for group in project.target_groups.all()),
            project.municipality.name,
            project.organisation.name,
        ]
    )
    return project.pk, project.title, body


def projects_index(*, projects: Iterable[Project]) -> None:
    get_backend().index(project_search_text(project) for project in projects)


def projects_unindex(*, project_ids: Iterable[int]) -> None:
    get_backend().remove(project_ids)


def search_index_rebuild(*, batch_size: int = 2000) -> int:
    backend = get_backend()
    backend.clear()
    queryset = Project.objects.select_related("municipality", "organisation").prefetch_related(
        "topics", "target_groups"
    )
    count, last_id = 0, 0
    while batch := list(queryset.filter(pk__gt=last_id).order_by("pk")[:batch_size]):
        backend.index(project_search_text(project) for project in batch)
        count, last_id = count + len(batch), batch[-1].pk
    refresh_planner_statistics()
    return count
