"""One search interface, two backends: SQLite FTS5 and PostgreSQL full-text search.

The backend is chosen by the database in use. Each keeps one row per project, written by the
catalog services in the same transaction as the project itself.
"""

import time
from collections.abc import Iterable
from typing import Protocol

from django.contrib.postgres.search import SearchQuery, SearchRank
from django.db import connection
from django.db.models import F, QuerySet

from apps.catalog.models import Project

from .models import PostgresProjectDocument, SqliteProjectIndex
from .text import MIN_PREFIX_LENGTH, MIN_SUFFIX_LENGTH, index_text, query_terms


class SearchBackend(Protocol):
    def index(self, rows: Iterable[tuple[int, str, str]]) -> None:
        """Store (project id, title, body text) rows, replacing earlier versions."""

    def remove(self, project_ids: Iterable[int]) -> None: ...

    def clear(self) -> None: ...

    def filter(self, queryset: QuerySet, terms: list[str]) -> QuerySet:
        """Projects matching every term, annotated with search_rank (higher is better)."""

    def best(self, terms: list[str], limit: int) -> list[tuple[int, float]]:
        """(project id, score) of the `limit` best projects matching any term, best first."""

    def document_counts(self, terms: list[str]) -> tuple[int, dict[str, int]]:
        """(indexed projects, {term: projects holding it}); estimates will do."""


def _prepared(rows: Iterable[tuple[int, str, str]]) -> list[tuple[int, str, str, str]]:
    """(id, title stems, body stems, reversed stems) for each (id, title, body) row."""
    prepared = []
    for project_id, title, body in rows:
        text = index_text(title, body)
        prepared.append((project_id, text.title, text.body, text.reversed))
    return prepared


def _fts5_term(term: str) -> str:
    forward = f'{{title body}} : "{term}"' + ("*" if len(term) >= MIN_PREFIX_LENGTH else "")
    if len(term) < MIN_SUFFIX_LENGTH:
        return forward
    return f'({forward} OR reversed : "{term[::-1]}"*)'


class SqliteBackend:
    table = SqliteProjectIndex._meta.db_table

    def index(self, rows):
        prepared = _prepared(rows)
        if not prepared:
            return
        with connection.cursor() as cursor:
            cursor.executemany(
                f"DELETE FROM {self.table} WHERE rowid = %s", [(row[0],) for row in prepared]
            )
            cursor.executemany(
                f"INSERT INTO {self.table} (rowid, title, body, reversed) VALUES (%s, %s, %s, %s)",
                prepared,
            )

    def remove(self, project_ids):
        with connection.cursor() as cursor:
            cursor.executemany(
                f"DELETE FROM {self.table} WHERE rowid = %s", [(pk,) for pk in project_ids]
            )

    def clear(self):
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {self.table}")

    def filter(self, queryset, terms):
        expression = " AND ".join(_fts5_term(term) for term in terms)
        # FTS5's rank is bm25: smaller is better, so it is negated.
        return queryset.filter(sqlite_search__match=expression).annotate(
            search_rank=-F("sqlite_search__rank")
        )

    def document_counts(self, terms):
        if not terms:
            return 0, {}
        placeholders = ", ".join(["%s"] * len(terms))
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT term, doc FROM {self.table}_vocab WHERE term IN ({placeholders})", terms
            )
            return _indexed_projects(), dict(cursor.fetchall())

    def best(self, terms, limit):
        if not terms:
            return []
        expression = " OR ".join(_fts5_term(term) for term in terms)
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT rowid, -rank FROM {self.table} WHERE {self.table} MATCH %s "
                "ORDER BY rank LIMIT %s",
                [expression, limit],
            )
            return cursor.fetchall()


def _tsquery_term(term: str) -> str:
    forward = f"{term}:*AB" if len(term) >= MIN_PREFIX_LENGTH else f"{term}:AB"
    if len(term) < MIN_SUFFIX_LENGTH:
        return forward
    return f"({forward} | {term[::-1]}:*D)"


class PostgresBackend:
    table = PostgresProjectDocument._meta.db_table
    # Weights for D, C, B, A: reversed stems, -, body, title.
    rank_weights = [0.1, 0.2, 0.4, 1.0]

    def index(self, rows):
        prepared = _prepared(rows)
        if not prepared:
            return
        with connection.cursor() as cursor:
            cursor.executemany(
                f"""
                INSERT INTO {self.table} (project_id, document) VALUES (
                    %s,
                    setweight(to_tsvector('simple', %s), 'A')
                    || setweight(to_tsvector('simple', %s), 'B')
                    || setweight(to_tsvector('simple', %s), 'D'))
                ON CONFLICT (project_id) DO UPDATE SET document = EXCLUDED.document
                """,
                prepared,
            )

    def remove(self, project_ids):
        PostgresProjectDocument.objects.filter(project_id__in=list(project_ids)).delete()

    def clear(self):
        with connection.cursor() as cursor:
            cursor.execute(f"TRUNCATE {self.table}")

    def filter(self, queryset, terms):
        query = SearchQuery(
            " & ".join(_tsquery_term(term) for term in terms), search_type="raw", config="simple"
        )
        return queryset.filter(pg_search__document=query).annotate(
            search_rank=SearchRank(F("pg_search__document"), query, weights=self.rank_weights)
        )

    def document_counts(self, terms):
        # ANALYZE keeps the most common lexemes of the column with their share of rows; the
        # others are rare enough to count as none here.
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT stats.most_common_elems::text::text[], stats.most_common_elem_freqs, "
                "class.reltuples FROM pg_class AS class LEFT JOIN pg_stats AS stats "
                "ON stats.tablename = class.relname AND stats.attname = 'document' "
                "WHERE class.relname = %s",
                [self.table],
            )
            row = cursor.fetchone()
        if not row or not row[0]:
            return max(int(row[2]), 0) if row else 0, {}
        lexemes, shares, total = row
        share_of = dict(zip(lexemes, shares, strict=False))
        return int(total), {
            term: round(share_of[term] * total) for term in terms if term in share_of
        }

    def best(self, terms, limit):
        if not terms:
            return []
        with connection.cursor() as cursor:
            cursor.execute(
                f"""
                SELECT project_id, ts_rank(%s::float4[], document, query) AS score
                FROM {self.table}, to_tsquery('simple', %s) AS query
                WHERE document @@ query ORDER BY score DESC, project_id LIMIT %s
                """,
                [self.rank_weights, " | ".join(_tsquery_term(term) for term in terms), limit],
            )
            return cursor.fetchall()


def _indexed_projects() -> int:
    """How many projects the index holds, counted at most once a minute per process."""
    now = time.monotonic()
    if now - _project_count[1] > 60:
        _project_count[:] = [Project.objects.count(), now]
    return _project_count[0]


_project_count: list = [0, float("-inf")]


def forget_project_count() -> None:
    """Count the indexed projects again on the next search."""
    _project_count[:] = [0, float("-inf")]


def get_backend() -> SearchBackend:
    return PostgresBackend() if connection.vendor == "postgresql" else SqliteBackend()


__all__ = ["SearchBackend", "get_backend", "query_terms"]
