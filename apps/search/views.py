from django.shortcuts import render

from apps.catalog.cache import cache_public_page

from . import selectors
from .forms import MatchForm


# Not page-cached: descriptions hardly ever repeat, so each one would only add a cache write.
def match(request):
    form = MatchForm(request.GET if "text" in request.GET else None)
    result = None
    if form.is_valid():
        result = selectors.match_projects(
            text=form.cleaned_data["text"], municipality=form.cleaned_data["municipality"]
        )
    return render(request, "search/match.html", {"form": form, "result": result})


SITE_SEARCH_PROJECTS = 8
SITE_SEARCH_ARTICLES = 8


@cache_public_page
def site_search(request):
    """One search box for the whole site: projects and knowledge, grouped by kind."""
    query = selectors.normalise_query(request.GET.get("q"))
    groups = selectors.site_search(
        query, projects=SITE_SEARCH_PROJECTS, articles=SITE_SEARCH_ARTICLES
    )
    return render(request, "search/site_search.html", {"query": query, "groups": groups})
