from django.urls import path

from . import views

app_name = "catalog"
urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("projekte/", views.project_list, name="project_list"),
    path("projekte/<slug:slug>/", views.project_detail, name="project_detail"),
    path(
        "projekte/<slug:slug>/bearbeiten/", views.ProjectUpdateView.as_view(), name="project_update"
    ),
    path("projekte/<slug:slug>/standorte/neu/", views.SiteCreateView.as_view(), name="site_create"),
    path(
        "projekte/<slug:slug>/standorte/<int:site_id>/bearbeiten/",
        views.SiteUpdateView.as_view(),
        name="site_update",
    ),
    path(
        "projekte/<slug:slug>/standorte/<int:site_id>/entfernen/",
        views.SiteDeleteView.as_view(),
        name="site_delete",
    ),
    path(
        "organisationen/<slug:organisation_slug>/projekt-anlegen/",
        views.ProjectCreateView.as_view(),
        name="project_create",
    ),
    path("moderation/", views.ModerationQueueView.as_view(), name="moderation_queue"),
    path(
        "moderation/<slug:slug>/freigeben/",
        views.ModerationDecisionView.as_view(),
        {"decision": "approve"},
        name="moderation_approve",
    ),
    path(
        "moderation/<slug:slug>/ablehnen/",
        views.ModerationDecisionView.as_view(),
        {"decision": "reject"},
        name="moderation_reject",
    ),
]
