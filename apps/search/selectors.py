"""Reads through the search index and the project vectors."""

from dataclasses import dataclass, field
from enum import StrEnum

import numpy as np
from django.conf import settings
from django.core.cache import cache
from django.db.models import FloatField, QuerySet, Value

from apps.catalog.models import Project, Site
from apps.places.geo import haversine_km
from apps.places.models import Municipality, municipality_label

from . import matching
from .backends import get_backend
from .embeddings import get_embedder
from .text import MAX_QUERY_TERMS, query_terms
from .vectors import decode_vectors, encode_vector, vector_index

# Sentence vectors of a project, for the "why it fits" passage; keyed by its last change.
PASSAGE_CACHE_SECONDS = 7 * 24 * 3600


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


class MatchMethod(StrEnum):
    TEXT = "text"
    VECTOR = "vector"
    HYBRID = "hybrid"


CANDIDATES_PER_METHOD = 100
# Words that many projects share say little about which one fits, but ranking them costs a
# pass over all those projects: the full-text side of matching leaves them to the vectors.
COMMON_TERM_SHARE = 0.01
COMMON_TERM_MIN_PROJECTS = 500


def normalise_description(text: str | None) -> str:
    return " ".join((text or "").split())[: settings.MATCH_MAX_TEXT_LENGTH]


def ranked_projects(
    text: str, *, method: MatchMethod = MatchMethod.HYBRID, limit: int = CANDIDATES_PER_METHOD
) -> tuple[list[tuple[int, float]], np.ndarray | None]:
    """(id, score) of the projects (any status) that fit a description best, best first; the
    query vector is returned too, for the explanations."""
    text = normalise_description(text)
    rankings, weights, query_vector = [], [], None
    if method in (MatchMethod.VECTOR, MatchMethod.HYBRID):
        embedder = get_embedder()
        query_vector = embedder.embed_queries([text])[0]
        index = vector_index(embedder.name, embedder.dimensions)
        rankings.append([pk for pk, _ in index.nearest(query_vector, CANDIDATES_PER_METHOD)])
        weights.append(matching.VECTOR_WEIGHT)
    if method in (MatchMethod.TEXT, MatchMethod.HYBRID):
        terms = distinctive_terms(query_terms(text, limit=None))[:MAX_QUERY_TERMS]
        rankings.append([pk for pk, _ in get_backend().best(terms, CANDIDATES_PER_METHOD)])
        weights.append(matching.TEXT_WEIGHT)
    scores = matching.fuse(rankings, weights)
    return [(pk, scores[pk]) for pk in matching.ordered(scores)[:limit]], query_vector


def distinctive_terms(terms: list[str]) -> list[str]:
    """The terms without those found in more than COMMON_TERM_SHARE of the projects (in a
    catalog large enough for that to be more than COMMON_TERM_MIN_PROJECTS)."""
    total, counts = get_backend().document_counts(terms)
    limit = max(COMMON_TERM_SHARE * total, COMMON_TERM_MIN_PROJECTS)
    return [term for term in terms if counts.get(term, 0) <= limit]


@dataclass
class ProjectMatch:
    project: Project
    score: float
    passage: str = ""
    site_count: int = 0
    fit: matching.Fit | None = None
    nearest_site: str = ""
    distance_km: float | None = None


@dataclass
class MatchResult:
    text: str
    municipality: Municipality | None
    matches: list[ProjectMatch] = field(default_factory=list)


def match_projects(
    *, text: str, municipality: Municipality | None = None, limit: int = 10
) -> MatchResult:
    """Published projects that fit a description of a local problem, best first, each with
    why it fits: the passage closest in meaning, the fit with the municipality and its
    nearest site."""
    result = MatchResult(text=normalise_description(text), municipality=municipality)
    if not result.text:
        return result
    ranking, query_vector = ranked_projects(result.text)
    fused = dict(ranking)
    published = Project.objects.published()
    listed = set(published.filter(pk__in=fused).values_list("pk", flat=True))
    best_ids = [pk for pk, _ in ranking if pk in listed][: limit * 3]
    matches = [
        ProjectMatch(project=project, score=fused[project.pk])
        for project in published.filter(pk__in=best_ids)
    ]
    _add_sites(matches, municipality)
    matches.sort(key=lambda match: (-match.score, match.project.pk))
    result.matches = matches[:limit]
    _add_passages(result.matches, query_vector)
    return result


def _add_sites(matches: list[ProjectMatch], municipality: Municipality | None) -> None:
    sites = Site.objects.filter(
        project_id__in=[match.project.pk for match in matches], status=Site.Status.ACTIVE
    ).values_list(
        "project_id",
        "municipality__name",
        "municipality__state",
        "municipality__latitude",
        "municipality__longitude",
        "municipality__settlement_type",
    )
    by_project: dict[int, list[tuple]] = {}
    for project_id, *site in sites:
        by_project.setdefault(project_id, []).append(site)
    for match in matches:
        project_sites = by_project.get(match.project.pk, [])
        match.site_count = len(project_sites)
        if municipality is None or not project_sites:
            continue
        match.fit = matching.fit_for(
            project_setting=match.project.setting,
            is_rural=municipality.is_rural,
            settlement_type=municipality.settlement_type,
            site_types=[site[4] for site in project_sites],
        )
        match.score *= 1 + matching.FIT_WEIGHT * match.fit.value
        distance, name, state = min(
            (haversine_km(municipality.latitude, municipality.longitude, lat, lon), name, state)
            for name, state, lat, lon, _ in project_sites
        )
        match.distance_km = round(distance)
        match.nearest_site = municipality_label(name, state)


def _add_passages(matches: list[ProjectMatch], query_vector: np.ndarray | None) -> None:
    if query_vector is None or not matches:
        return
    embedder = get_embedder()
    keys = {
        match.project.pk: (
            f"match:passages:{embedder.name}:{match.project.pk}:"
            f"{match.project.updated_at.timestamp()}"
        )
        for match in matches
    }
    cached = cache.get_many(list(keys.values()))
    missing = [match for match in matches if keys[match.project.pk] not in cached]
    if missing:
        fresh = {}
        sentences = {
            match.project.pk: matching.passages(match.project.summary, match.project.problem)
            for match in missing
        }
        vectors = embedder.embed_passages([s for pk in sentences for s in sentences[pk]])
        offset = 0
        for pk, project_sentences in sentences.items():
            part = vectors[offset : offset + len(project_sentences)]
            offset += len(project_sentences)
            fresh[keys[pk]] = (project_sentences, encode_vector(part.ravel()))
        cache.set_many(fresh, PASSAGE_CACHE_SECONDS)
        cached.update(fresh)
    for match in matches:
        project_sentences, blob = cached[keys[match.project.pk]]
        if not project_sentences:
            continue  # only short lines: nothing worth quoting
        vectors = decode_vectors([blob], len(project_sentences) * embedder.dimensions)
        match.passage = matching.best_passage(
            project_sentences, vectors.reshape(len(project_sentences), -1), query_vector
        )


@dataclass
class SiteSearchResults:
    projects: list
    project_count: int
    articles: list

    @property
    def empty(self) -> bool:
        return not self.projects and not self.articles


def site_search(query: str, *, projects: int, articles: int) -> SiteSearchResults:
    """The best projects and knowledge articles for a query, each kind ranked on its own."""
    from apps.catalog.selectors import project_list_queryset
    from apps.knowledge.selectors import search_articles

    if not query:
        return SiteSearchResults(projects=[], project_count=0, articles=[])
    matches = projects_matching(project_list_queryset(), query).order_by("-search_rank", "-id")
    return SiteSearchResults(
        projects=list(matches[:projects]),
        project_count=matches.count(),
        articles=search_articles(query, limit=articles),
    )
