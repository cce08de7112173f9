from django.urls import path

from . import views

app_name = "search"
urlpatterns = [
    path("passende-projekte/", views.match, name="match"),
    path("suche/", views.site_search, name="site"),
]
