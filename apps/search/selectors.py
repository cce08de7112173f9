"""Reads through the search index."""

from django.conf import settings
from django.db.models import FloatField, QuerySet, Value

from .backends import get_backend
from .text import query_terms


def normalise_query(query: str | None) -> str:
    return " ".join((query or "").split())[: settings.SEARCH_MAX_QUERY_LENGTH]


def projects_matching(queryset: QuerySet, query: str) -> QuerySet:
    """Narrow a project queryset to the full-text matches of query, with search_rank.

    A query without searchable words (only stop words or punctuation) matches nothing.
    """
    terms = query_terms(normalise_query(query))
    if not terms:
        return queryset.none().annotate(search_rank=Value(0.0, output_field=FloatField()))
    return get_backend().filter(queryset, terms)
