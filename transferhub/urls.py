from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path

urlpatterns = i18n_patterns(
    path("", include("apps.catalog.urls")),
    path("", include("apps.search.urls")),
    path("", include("apps.spread.urls")),
    path("", include("apps.market.urls")),
    path("wissen/", include("apps.knowledge.urls")),
    path("organisationen/", include("apps.organisations.urls")),
    path("orte/", include("apps.places.urls")),
    path("kommentare/", include("apps.comments.urls")),
    path("konto/daten/", include("apps.accounts.urls")),
    path("konto/", include("allauth.urls")),
    path("admin/", admin.site.urls),
    prefix_default_language=False,
)

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

urlpatterns += [path("api/", include("apps.api.urls"))]
