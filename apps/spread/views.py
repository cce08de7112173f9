from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.gzip import gzip_page

from apps.catalog.cache import cache_public_page
from apps.catalog.selectors import project_visible_to

from . import selectors
from .forms import NotYetHereForm, SpreadFilterForm
from .selectors import SpreadFilters


@cache_public_page
def project_spread(request: HttpRequest, slug: str) -> HttpResponse:
    project = project_visible_to(slug=slug, user=request.user)
    return render(
        request,
        "spread/project.html",
        {
            "project": project,
            "spread": selectors.project_spread(project),
            "outline": selectors.germany_outline(),
        },
    )


def _filter_form(request: HttpRequest) -> SpreadFilterForm:
    form = SpreadFilterForm(request.GET)
    form.is_valid()  # unknown values are reported on the form and ignored
    return form


def _map_data_url(filters: SpreadFilters) -> str:
    """The map's data for the same (valid) filters, so equal maps share one cached answer."""
    query = urlencode(
        {
            key: value
            for key, value in (
                ("topic", filters.topic.slug if filters.topic else ""),
                ("state", filters.state),
            )
            if value
        }
    )
    url = reverse("spread:overview_map_data")
    return f"{url}?{query}" if query else url


@cache_public_page
def overview(request: HttpRequest) -> HttpResponse:
    form = _filter_form(request)
    filters = form.filters()
    return render(
        request,
        "spread/overview.html",
        {
            "form": form,
            "filters": filters,
            "spread": selectors.platform_spread(filters=filters),
            "outline": selectors.germany_outline(),
            "map_data_url": _map_data_url(filters),
        },
    )


@gzip_page  # a few hundred kB of JSON for 12,000 places; compressed to a quarter
@cache_public_page
def overview_map_data(request: HttpRequest) -> JsonResponse:
    return JsonResponse(selectors.platform_map_data(filters=_filter_form(request).filters()))


@cache_public_page
def not_yet_here(request: HttpRequest) -> HttpResponse:
    form = NotYetHereForm(request.GET or None)
    result = None
    if form.is_valid():
        result = selectors.not_yet_here(
            municipality=form.cleaned_data["municipality"],
            min_sites=form.cleaned_data["min_sites"],
            radius_km=form.cleaned_data["radius_km"],
            page_number=request.GET.get("page", 1),
        )
    return render(request, "spread/not_yet_here.html", {"form": form, "result": result})
