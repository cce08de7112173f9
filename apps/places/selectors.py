"""Reads for places: autocomplete and resolving what a person typed into one municipality."""

import re
from functools import lru_cache

from django.conf import settings
from django.db.models import QuerySet
from django.utils import translation

from .models import FederalState, Municipality


@lru_cache(maxsize=1)
def _state_names() -> dict[str, str]:
    """State names in every interface language, so a label typed in either one resolves."""
    names = {}
    for language, _name in settings.LANGUAGES:
        with translation.override(language):
            names.update({str(state.label).lower(): state.value for state in FederalState})
    return names


_LABEL = re.compile(r"^\s*(?P<name>.+?)\s*\((?P<state>[^()]+)\)\s*$")


def municipality_suggestions(*, term: str, limit: int = 10) -> QuerySet[Municipality]:
    term = term.strip()[:80]
    if len(term) < 2:
        return Municipality.objects.none()
    return Municipality.objects.filter(name__istartswith=term).order_by("-population", "name")[
        :limit
    ]


def municipality_from_label(label: str) -> Municipality | None:
    """Find the municipality for 'Name (State)' or a plain name; None if unknown.

    A plain name that several places share resolves to the largest of them, the one most
    people mean; the autocomplete always offers the unambiguous label.
    """
    label = (label or "").strip()[:160]
    if not label:
        return None
    match = _LABEL.match(label)
    candidates = Municipality.objects.all()
    if match:
        state = _state_names().get(match["state"].lower(), match["state"].upper())
        candidates = candidates.filter(name__iexact=match["name"], state=state)
    else:
        candidates = candidates.filter(name__iexact=label)
    return candidates.order_by("-population").first()
