from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import cache_control

from .selectors import municipality_suggestions


@cache_control(max_age=3600, public=True)
def suggestions(request: HttpRequest) -> HttpResponse:
    """Places whose name starts with what was typed: datalist options, or JSON if asked."""
    # htmx sends the input under its form field's name; direct callers use "q".
    term = request.GET.get("q") or request.GET.get("municipality", "")
    municipalities = municipality_suggestions(term=term)
    if "json" in request.GET.get("format", ""):
        return JsonResponse(
            {
                "results": [
                    {"label": m.label, "slug": m.slug, "population": m.population}
                    for m in municipalities
                ]
            }
        )
    return render(request, "places/suggestions.html", {"municipalities": municipalities})
