"""The open API, mounted at /api/ outside the language prefixes.

- /api/v1/             the endpoints (projects, sites, organisations, offers)
- /api/v1/schema/      their OpenAPI 3 description as JSON (/api/v1/schema.yaml as YAML)

There is no documentation UI: Swagger UI and Redoc load scripts from a CDN and run inline
scripts, which the Content-Security-Policy forbids. Any OpenAPI viewer can read the schema.
"""

from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularJSONAPIView, SpectacularYAMLAPIView
from rest_framework.renderers import JSONRenderer
from rest_framework.routers import DefaultRouter

from . import views

app_name = "api"

router = DefaultRouter()
router.include_format_suffixes = False
router.root_renderers = [JSONRenderer]
router.register("projects", views.ProjectViewSet, basename="project")
router.register("sites", views.SiteViewSet, basename="site")
router.register("organisations", views.OrganisationViewSet, basename="organisation")
router.register("offers", views.OfferViewSet, basename="offer")

urlpatterns = [
    path("v1/schema/", SpectacularJSONAPIView.as_view(), name="schema"),
    path("v1/schema.yaml", SpectacularYAMLAPIView.as_view(), name="schema-yaml"),
    path(
        "v1/projects/<slug:slug>/sites/",
        views.ProjectSitesView.as_view(),
        name="project-sites",
    ),
    path("v1/", include(router.urls)),
    # Last: addresses without a trailing slash still get CommonMiddleware's redirect first.
    re_path(r"^[\s\S]*/$", views.not_found),
]
