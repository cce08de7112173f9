from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from apps.search.services import projects_index

from . import services
from .models import Project, Site, TargetGroup, Topic


@admin.register(Topic, TargetGroup)
class NamedTermAdmin(admin.ModelAdmin):
    list_display = ["name", "name_en", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    search_fields = ["name", "name_en"]


class SiteInline(admin.TabularInline):
    model = Site
    fk_name = "project"
    extra = 0
    raw_id_fields = ["municipality", "organisation", "copied_from"]
    fields = [
        "municipality",
        "organisation",
        "operator_name",
        "status",
        "started_on",
        "ended_on",
        "copied_from",
    ]


@admin.register(Project)
class ProjectAdmin(admin.ModelAdmin):
    list_display = [
        "title",
        "organisation",
        "municipality",
        "status",
        "active_site_count",
        "created_at",
    ]
    list_filter = ["status", "readiness", "setting", "topics"]
    search_fields = ["title", "summary"]
    raw_id_fields = ["organisation", "municipality", "created_by"]
    readonly_fields = ["active_site_count", "published_at", "created_at", "updated_at"]
    filter_horizontal = ["topics", "target_groups"]
    inlines = [SiteInline]
    actions = ["approve"]

    @admin.action(description=_("Approve and publish the selected projects"))
    def approve(self, request, queryset):
        approved = 0
        for project in queryset.pending():
            try:
                services.project_approve(project=project, moderator=request.user)
                approved += 1
            except ValidationError:
                continue
        self.message_user(
            request, _("%(count)d projects published.") % {"count": approved}, messages.SUCCESS
        )

    def delete_model(self, request, obj):
        services.project_delete(project=obj)

    def delete_queryset(self, request, queryset):
        for project in queryset:
            services.project_delete(project=project)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        services.project_recount_sites(project_ids=[form.instance.pk])
        projects_index(projects=[form.instance])
