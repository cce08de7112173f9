from django.urls import path

from . import views

app_name = "spread"
urlpatterns = [
    path("projekte/<slug:slug>/verbreitung/", views.project_spread, name="project"),
    path("verbreitung/", views.overview, name="overview"),
    path("verbreitung/karte.json", views.overview_map_data, name="overview_map_data"),
    path("noch-nicht-hier/", views.not_yet_here, name="not_yet_here"),
]
