"""The PostgreSQL side of `make bench`: a throwaway server in bench/work/postgres and the same
synthetic catalogs in it, for the in-process search and match timings.

Embedding 100,000 projects takes minutes; the generators are deterministic for a seed, so the
PostgreSQL catalog holds the very texts of the SQLite one, and like offers and articles. Its
vectors are therefore copied from the SQLite catalog after checking, project by project, that
id, title and text agree; a catalog that differs is embedded from scratch.
"""

import contextlib
import os
import shutil
import socket
import sqlite3
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

from catalogs import WORK, Catalog, add_offers_and_articles, django_env, manage

PGBIN = next(iter(sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True)), None)
DATA = WORK / "postgres"
PORT = 54331
COPY_BATCH = 5_000


def available() -> bool:
    return PGBIN is not None and (PGBIN / "initdb").exists()


def _as_postgres(command: str) -> None:
    if os.geteuid() == 0:
        subprocess.run(["su", "postgres", "-c", command], check=True, capture_output=True)
    else:
        subprocess.run(command, shell=True, check=True, capture_output=True)


def _ready(timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", PORT), 1):
            return
        time.sleep(0.2)
    raise RuntimeError(f"PostgreSQL did not start; see {DATA}/log")


@contextlib.contextmanager
def server() -> Iterator[str]:
    """Start the bench's own PostgreSQL cluster; yields a database URL prefix."""
    DATA.mkdir(parents=True, exist_ok=True)
    if os.geteuid() == 0:
        shutil.chown(DATA, "postgres")
    if not (DATA / "data" / "PG_VERSION").exists():
        _as_postgres(f"{PGBIN}/initdb -D {DATA}/data -A trust -E UTF8 --locale=C.UTF-8")
    _as_postgres(
        f"{PGBIN}/pg_ctl -D {DATA}/data -l {DATA}/log -w -o "
        f"'-p {PORT} -k {DATA} -c listen_addresses=127.0.0.1' start"
    )
    try:
        _ready()
        yield f"postgres://postgres@127.0.0.1:{PORT}"
    finally:
        _as_postgres(f"{PGBIN}/pg_ctl -D {DATA}/data -m fast stop")


def _psql(url: str, sql: str) -> str:
    done = subprocess.run(["psql", url, "-tAc", sql], check=True, capture_output=True, text=True)
    return done.stdout.strip()


def build(label: str, projects: int, server_url: str, sqlite: Catalog, seed: int) -> dict:
    """The catalog in PostgreSQL (reused when complete); returns how it was built."""
    database = f"catalog_{label}"
    admin, url = f"{server_url}/postgres", f"{server_url}/{database}"
    env = django_env(url)
    exists = _psql(admin, f"SELECT 1 FROM pg_database WHERE datname = '{database}'")
    published = (
        _psql(url, "SELECT count(*) FROM catalog_project WHERE status = 'published'")
        if exists
        else None
    )
    built = {"reused": published == str(projects)}
    if not built["reused"]:
        _psql(admin, f"DROP DATABASE IF EXISTS {database}")
        _psql(admin, f"CREATE DATABASE {database}")
    manage("migrate", "--no-input", "-v", "0", env=env)
    manage("createcachetable", "-v", "0", env=env)
    if not built["reused"]:
        manage("load_municipalities", env=env)
        started = time.perf_counter()
        manage("generate_catalog", "--projects", str(projects), "--seed", str(seed), env=env)
        built["generate_seconds"] = round(time.perf_counter() - started, 1)
    if extras := add_offers_and_articles(env, lambda sql: int(_psql(url, sql))):
        built["extras_seconds"] = extras
    embedded = _psql(url, "SELECT count(*) FROM search_projectembedding")
    if embedded != str(projects):
        built["vectors"] = _copy_vectors(sqlite, url, env)
    _psql(url, "VACUUM ANALYZE")  # after a bulk load; autovacuum would skew the timings
    return {**built, "database_url": url}


def _copy_vectors(sqlite: Catalog, url: str, env: dict) -> str:
    import psycopg

    source = sqlite3.connect(f"file:{sqlite.path}?mode=ro", uri=True)
    with psycopg.connect(url) as target:
        mismatch = _first_difference(source, target)
        if mismatch is not None:
            source.close()
            started = time.perf_counter()
            manage("rebuild_match_index", env=env)
            return f"embedded ({mismatch}) in {time.perf_counter() - started:.0f} s"
        target.execute("DELETE FROM search_projectembedding")
        rows = source.execute(
            "SELECT project_id, model, vector, changed_at FROM search_projectembedding"
        )
        with target.cursor() as cursor:
            while batch := rows.fetchmany(COPY_BATCH):
                cursor.executemany(
                    "INSERT INTO search_projectembedding (project_id, model, vector, changed_at) "
                    "VALUES (%s, %s, %s, %s)",
                    batch,
                )
    source.close()
    return "copied from the SQLite catalog (same ids and texts)"


def _first_difference(source: sqlite3.Connection, target) -> str | None:
    query = "SELECT id, title, summary, problem FROM catalog_project ORDER BY id"
    theirs = target.execute(query)
    for ours in source.execute(query):
        if tuple(ours) != tuple(theirs.fetchone() or ()):
            return f"project {ours[0]} differs"
    return None if theirs.fetchone() is None else "more projects in PostgreSQL"
