"""Writes for the catalog: projects, their moderation and their sites.

Every write keeps the search index and the project's active site count in step, inside the
same transaction as the change itself.
"""

import datetime
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from apps.accounts.models import User
from apps.core.slugs import unique_slug
from apps.organisations.models import Organisation
from apps.organisations.services import followers_notify
from apps.search.services import projects_index, projects_unindex

from .cache import bump_catalog_version
from .models import Project, Site, TargetGroup, Topic, TransferFormat

PROJECT_RELATIONS = ("topics", "target_groups", "transfer_formats")


def _set_fields(project: Project, fields: dict) -> dict:
    """Assign plain fields; return the many-to-many ones to set after saving."""
    relations = {name: fields.pop(name) for name in PROJECT_RELATIONS if name in fields}
    for name, value in fields.items():
        setattr(project, name, value)
    return relations


def _save_and_index(project: Project, relations: dict) -> Project:
    project.full_clean(exclude=["slug"])
    project.save()
    for name, values in relations.items():
        getattr(project, name).set(values)
    projects_index(projects=[project])
    bump_catalog_version()
    return project


@transaction.atomic
def project_create(
    *,
    organisation: Organisation,
    created_by: User | None,
    topics: Iterable[Topic],
    target_groups: Iterable[TargetGroup],
    transfer_formats: Iterable[TransferFormat] = (),
    **fields,
) -> Project:
    """Create a project of an organisation; it waits for moderation ("pending")."""
    project = Project(
        organisation=organisation, created_by=created_by, status=Project.Status.PENDING
    )
    relations = _set_fields(
        project,
        {
            **fields,
            "topics": topics,
            "target_groups": target_groups,
            "transfer_formats": transfer_formats,
        },
    )
    project.slug = unique_slug(Project, slugify(project.title) or "projekt")
    _save_and_index(project, relations)
    site_create(
        project=project,
        municipality=project.municipality,
        organisation=organisation,
        is_origin=True,
        started_on=datetime.date(project.founded_year, 1, 1),
    )
    project.refresh_from_db(fields=["active_site_count"])
    return project


@transaction.atomic
def project_update(*, project: Project, **fields) -> Project:
    relations = _set_fields(project, fields)
    return _save_and_index(project, relations)


@transaction.atomic
def project_delete(*, project: Project) -> None:
    projects_unindex(project_ids=[project.pk])
    project.delete()
    bump_catalog_version()


@transaction.atomic
def project_approve(*, project: Project, moderator: User) -> Project:
    project = Project.objects.select_for_update().get(pk=project.pk)
    if project.status == Project.Status.PUBLISHED:
        raise ValidationError(_("This project is already published."))
    first_publication = project.published_at is None
    project.status = Project.Status.PUBLISHED
    project.published_at = timezone.now()
    project.moderation_note = ""
    project.save(update_fields=["status", "published_at", "moderation_note", "updated_at"])
    bump_catalog_version()
    if first_publication:
        followers_notify(
            organisation=project.organisation,
            kind="project",
            title=project.title,
            url=project.get_absolute_url(),
            acting_user=moderator,
        )
    # The market builds on the catalog, so it is imported here, not at the top.
    from apps.market.services import offer_publish_with_project

    offer_publish_with_project(project=project, actor=moderator)
    return project


@transaction.atomic
def project_reject(*, project: Project, moderator: User, note: str) -> Project:
    note = note.strip()
    if not note:
        raise ValidationError(_("Please tell the project team why it was rejected."))
    project = Project.objects.select_for_update().get(pk=project.pk)
    project.status = Project.Status.REJECTED
    project.moderation_note = note
    project.save(update_fields=["status", "moderation_note", "updated_at"])
    bump_catalog_version()
    return project


def project_recount_sites(*, project_ids: Iterable[int]) -> None:
    active_sites = (
        Site.objects.filter(project=OuterRef("pk"), status=Site.Status.ACTIVE)
        .values("project")
        .annotate(count=Count("pk"))
        .values("count")
    )
    Project.objects.filter(pk__in=list(project_ids)).update(
        active_site_count=Coalesce(Subquery(active_sites), 0)
    )
    bump_catalog_version()


def _check_copied_from(site: Site) -> None:
    if site.copied_from_id is None:
        return
    if site.copied_from.project_id != site.project_id:
        raise ValidationError(
            {"copied_from": _("A site can only be copied from a site of the same project.")}
        )
    ancestor = site.copied_from
    while ancestor is not None:
        if site.pk is not None and ancestor.pk == site.pk:
            raise ValidationError(
                {"copied_from": _("A site cannot be copied from itself or its own copies.")}
            )
        ancestor = ancestor.copied_from


@transaction.atomic
def site_create(*, project: Project, **fields) -> Site:
    site = Site(project=project, **fields)
    _check_copied_from(site)
    site.full_clean()
    site.save()
    project_recount_sites(project_ids=[project.pk])
    return site


@transaction.atomic
def site_update(*, site: Site, **fields) -> Site:
    for name, value in fields.items():
        setattr(site, name, value)
    _check_copied_from(site)
    site.full_clean()
    site.save()
    project_recount_sites(project_ids=[site.project_id])
    return site


@transaction.atomic
def site_delete(*, site: Site) -> None:
    if site.is_origin:
        raise ValidationError(_("The origin of a project cannot be deleted."))
    project_id = site.project_id
    site.delete()
    project_recount_sites(project_ids=[project_id])
