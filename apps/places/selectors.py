"""Reads for places: autocomplete and resolving what a person typed into one municipality."""

import re
from functools import lru_cache

from django.conf import settings
from django.db.models import Q, QuerySet
from django.utils import translation

from apps.core.text import plain_text

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
    term = plain_text(term)[:80]
    if len(term) < 2:
        return Municipality.objects.none()
    return Municipality.objects.filter(name__istartswith=term).order_by("-population", "name")[
        :limit
    ]


def municipality_candidates(label: str) -> QuerySet[Municipality]:
    """Every municipality 'Name (State)' or a plain name may mean, the largest first.

    A bracket that names no state belongs to the name itself, as in "Frankfurt (Oder)".
    Some places carry their state in their name, like "Neustadt (Hessen)": that name, and
    the state in either language ("Neustadt (Hesse)"), find it too.
    """
    label = plain_text(label)[:160]
    if not label:
        return Municipality.objects.none()
    match = _LABEL.match(label)
    same_name = Q(name__iexact=label)
    if match:
        bracket = match["state"].strip()
        state = _state_names().get(bracket.lower())
        if state is None and bracket.upper() in FederalState.values:
            state = bracket.upper()
        if state is not None:
            same_name |= Q(name__iexact=match["name"], state=state)
            for alias, code in _state_names().items():
                if code == state:
                    same_name |= Q(name__iexact=f"{match['name']} ({alias})", state=state)
    return Municipality.objects.filter(same_name).order_by("-population", "pk")


# The largest value of a 64-bit primary key; it has 19 digits.
MAX_ID = 2**63 - 1


def municipality_from_id(value: object) -> Municipality | None:
    """The municipality with this primary key, given as a number or as ASCII digits; None for
    anything else, including numbers beyond 64 bits (int() refuses more than 4300 digits, and
    the database larger values)."""
    if isinstance(value, str):
        value = value.strip()
        if not (value.isascii() and value.isdigit() and len(value) <= len(str(MAX_ID))):
            return None
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int) or not 0 < value <= MAX_ID:
        return None
    return Municipality.objects.filter(pk=value).first()


def municipality_from_label(label: str) -> Municipality | None:
    """Find the municipality for 'Name (State)' or a plain name; None if unknown.

    A plain name that several places share resolves to the largest of them, the one most
    people mean; the autocomplete always offers the unambiguous label.
    """
    return municipality_candidates(label).first()


# ASCII digits only: \d would also take other scripts' digits, and $ a trailing line break.
AGS = re.compile(r"^[0-9]{8}\Z")


def municipality_from_ags(ags: str) -> Municipality | None:
    """The municipality with this official municipality key (Amtlicher Gemeindeschlüssel).

    None if the key is malformed or no place carries it (keys are only known where set).
    City districts may carry the key of their city; the city, the largest, wins.
    """
    ags = (ags or "").strip()
    if not AGS.match(ags):
        return None
    return Municipality.objects.filter(ags=ags).order_by("-population", "pk").first()
