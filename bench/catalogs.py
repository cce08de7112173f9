"""The benchmark catalogs: one SQLite file per size in bench/work/, built with the project's own
management commands and reused while its number of published projects still matches. Transfer
offers and knowledge articles are added to a catalog that lacks them, without rebuilding it."""

import json
import os
import sqlite3
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WORK = ROOT / "bench" / "work"
PYTHON = ROOT / ".venv" / "bin" / "python"
SECRET_KEY = "bench-only-not-secret"
SEED = 1
# One project in five offers itself for transfer; the knowledge hub has a few hundred articles.
OFFER_SHARE = 0.2
ARTICLES = 300


@dataclass
class Catalog:
    label: str
    projects: int
    path: Path
    generate_seconds: float  # How long generate_catalog took, in this run or when built.
    reused: bool
    embed_seconds: float  # How long rebuild_match_index took for the whole catalog.
    # Seconds of generate_offers and generate_articles, when they were run for this catalog.
    extras: dict[str, float]
    url: str | None = None  # Another database with the same catalog (PostgreSQL).

    @property
    def database_url(self) -> str:
        return self.url or f"sqlite:///{self.path}"


def django_env(database_url: str) -> dict[str, str]:
    """A production-like environment: DEBUG off, a secret key, local hosts only."""
    env = {key: value for key, value in os.environ.items() if key != "DJANGO_DEBUG"}
    env.update(
        DJANGO_SECRET_KEY=SECRET_KEY,
        DATABASE_URL=database_url,
        DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost",
    )
    return env


def manage(*args: str, env: dict[str, str]) -> None:
    subprocess.run([str(PYTHON), "manage.py", *args], cwd=ROOT, env=env, check=True)


def sqlite_count(path: Path, sql: str) -> int | None:
    """The number a COUNT query gives, or None if there is no such database or table."""
    if not path.exists():
        return None
    try:
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as connection:
            (count,) = connection.execute(sql).fetchone()
    except sqlite3.Error:
        return None
    return count


PUBLISHED_PROJECTS = "SELECT COUNT(*) FROM catalog_project WHERE status = 'published'"
OFFERS = "SELECT COUNT(*) FROM market_transferoffer"
PUBLISHED_ARTICLES = "SELECT COUNT(*) FROM knowledge_article WHERE status = 'published'"


# What a catalog gets besides its projects: name, count query, at least, command.
EXTRAS = (
    ("offers", OFFERS, 1, ("generate_offers", "--share", str(OFFER_SHARE))),
    ("articles", PUBLISHED_ARTICLES, ARTICLES, ("generate_articles", "--articles", str(ARTICLES))),
)


def add_offers_and_articles(
    env: dict[str, str], count: Callable[[str], int | None]
) -> dict[str, float]:
    """Transfer offers and articles for a catalog that has none yet (catalogs built before the
    market and the knowledge hub existed); both commands are deterministic for the seed.
    Returns the seconds of each command that ran."""
    seconds = {}
    for name, sql, wanted, command in EXTRAS:
        if (count(sql) or 0) >= wanted:
            continue
        started = time.perf_counter()
        manage(*command, "--seed", str(SEED), env=env)
        seconds[name] = round(time.perf_counter() - started, 1)
    return seconds


def remove_database(path: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


def build(label: str, projects: int) -> Catalog:
    path = WORK / f"catalog-{label}.sqlite3"
    notes = path.with_suffix(".json")  # Remembers how long the build took, for reuse.
    env = django_env(f"sqlite:///{path}")
    reuse = sqlite_count(path, PUBLISHED_PROJECTS) == projects and notes.exists()
    if not reuse:
        remove_database(path)
    # Also on reuse: migrations added since the last build must be applied.
    manage("migrate", "--no-input", "-v", "0", env=env)
    manage("createcachetable", "-v", "0", env=env)
    if not reuse:
        manage("load_municipalities", env=env)
        started = time.perf_counter()
        manage("generate_catalog", "--projects", str(projects), "--seed", str(SEED), env=env)
        notes.write_text(json.dumps({"generate_seconds": time.perf_counter() - started}))
    if extras := add_offers_and_articles(env, lambda sql: sqlite_count(path, sql)):
        _remember(notes, extras=extras)
    if embedded_projects(path) != projects:
        started = time.perf_counter()
        manage("rebuild_match_index", env=env)
        _remember(notes, embed_seconds=time.perf_counter() - started)
    built = json.loads(notes.read_text())
    return Catalog(
        label,
        projects,
        path,
        built["generate_seconds"],
        reuse,
        built["embed_seconds"],
        built.get("extras", {}),
    )


def _remember(notes: Path, **figures) -> None:
    notes.write_text(json.dumps({**json.loads(notes.read_text()), **figures}))


def embedded_projects(path: Path) -> int:
    """Projects with a vector of the configured model (a model change means a rebuild)."""
    model = subprocess.run(
        [str(PYTHON), "manage.py", "shell", "-v", "0", "-c",
         "from apps.search.embeddings import get_embedder; print(get_embedder().name)"],
        cwd=ROOT, env=django_env(f"sqlite:///{path}"), capture_output=True, text=True, check=True,
    ).stdout.strip()  # fmt: skip
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as connection:
        (count,) = connection.execute(
            "SELECT COUNT(*) FROM search_projectembedding WHERE model = ?", [model]
        ).fetchone()
    return count


def clear_cache(catalog: Catalog) -> None:
    """Start every measurement cold: no cached pages or facet counts from an earlier run."""
    manage(
        "shell",
        "-v",
        "0",
        "-c",
        "from django.core.cache import cache; cache.clear()",
        env=django_env(catalog.database_url),
    )


def sample_urls(catalog: Catalog) -> dict[str, str]:
    """The pages under load: the catalog, a filtered catalog, one project page, the market, one
    offer page and one article (an experience report, which is about a project)."""
    with sqlite3.connect(f"file:{catalog.path}?mode=ro", uri=True) as connection:

        def first(sql: str) -> str:
            return connection.execute(sql).fetchone()[0]

        topic = first(
            """SELECT topic.slug FROM catalog_project_topics AS link
               JOIN catalog_topic AS topic ON topic.id = link.topic_id
               GROUP BY topic.slug ORDER BY COUNT(*) DESC, topic.slug LIMIT 1"""
        )
        project = first(
            """SELECT slug FROM catalog_project
               WHERE status = 'published' AND active_site_count BETWEEN 3 AND 5
               ORDER BY id LIMIT 1"""
        )
        offer = first(
            """SELECT project.slug FROM market_transferoffer AS offer
               JOIN catalog_project AS project ON project.id = offer.project_id
               WHERE offer.status = 'open' AND project.status = 'published'
               ORDER BY offer.id LIMIT 1"""
        )
        article = first(
            """SELECT slug FROM knowledge_article
               WHERE status = 'published' AND kind = 'report' ORDER BY id LIMIT 1"""
        )
    return {
        "catalog": "/projekte/",
        "filtered": f"/projekte/?topic={topic}&state=NW&setting=rural",
        "project": f"/projekte/{project}/",
        "market": "/markt/",
        "offer": f"/markt/{offer}/",
        "article": f"/wissen/{article}/",
    }
