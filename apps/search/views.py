from django.shortcuts import render

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
