"""`make bench`: search and match latency and page throughput of Transferhub on SQLite, at 1,000
and at 100,000 projects, with nginx serving the same bytes as the upper limit; search and match
latency on PostgreSQL too; and how each figure grows from the small to the large catalog.

A benchmark, not a test: it fails only when something cannot run, never on slow figures.
Everything it writes goes to bench/work/ (databases, logs, nginx) and bench/results.json.
"""

import dataclasses
import datetime
import json
import os
import platform
import shutil
import sqlite3
import statistics
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

import postgres
import report
from catalogs import (
    ARTICLES,
    OFFER_SHARE,
    OFFERS,
    PUBLISHED_ARTICLES,
    PYTHON,
    ROOT,
    SEED,
    WORK,
    Catalog,
    build,
    clear_cache,
    django_env,
    manage,
    sqlite_count,
)
from catalogs import sample_urls as catalog_sample_urls
from load import WRK_CONNECTIONS, WRK_SECONDS, WRK_THREADS, summarise, timed_get, wrk
from servers import WORKERS, Gunicorn, Nginx

BENCH = Path(__file__).resolve().parent
QUERIES_FILE = BENCH / "queries.txt"
RESULTS_FILE = report.RESULTS_FILE
SIZES = [("1k", 1_000), ("100k", 100_000)]
# HTTP search: the first round meets an empty cache, the later ones what the app cached.
HTTP_SEARCH_ROUNDS = 4
SELECTOR_ROUNDS = 3
MATCH_ROUNDS = 3

started_at = time.monotonic()


def say(message: str) -> None:
    print(f"[{time.monotonic() - started_at:6.0f} s] {message}", flush=True)


def queries() -> list[str]:
    lines = QUERIES_FILE.read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


def ensure_tools() -> None:
    missing = [tool for tool in ("wrk", "nginx") if not shutil.which(tool)]
    if "nginx" in missing and Path("/usr/sbin/nginx").exists():
        missing.remove("nginx")  # Debian puts it in sbin, outside a normal user's PATH.
    if not missing:
        return
    if os.geteuid() == 0:
        say(f"Installing {' '.join(missing)} with apt-get")
        subprocess.run(["apt-get", "update", "-qq"], check=True)
        subprocess.run(["apt-get", "install", "-y", "-qq", *missing], check=True)
        return
    sys.exit(f"make bench needs {' and '.join(missing)}: sudo apt-get install -y wrk nginx")


def version(command: list[str]) -> str:
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=10)
    except OSError:
        return "?"
    return (done.stdout + done.stderr).strip().splitlines()[0] if done.stdout + done.stderr else "?"


def machine() -> dict:
    cpuinfo = Path("/proc/cpuinfo").read_text() if Path("/proc/cpuinfo").exists() else ""
    model = next((line.split(":", 1)[1].strip() for line in cpuinfo.splitlines()
                  if line.startswith("model name")), platform.processor())  # fmt: skip
    memory = next((int(line.split()[1]) // 1024 for line in Path("/proc/meminfo").read_text()
                   .splitlines() if line.startswith("MemTotal")), None)  # fmt: skip
    commit = version(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"])
    dirty = bool(version(["git", "-C", str(ROOT), "status", "--porcelain"]).strip("?"))
    return {
        "cores": os.cpu_count(),
        "cpu": model,
        "memory_mib": memory,
        "platform": platform.platform(),
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "gunicorn": version([str(ROOT / ".venv" / "bin" / "gunicorn"), "--version"]),
        "nginx": version([shutil.which("nginx") or "/usr/sbin/nginx", "-v"]),
        "wrk": version(["wrk", "-v"]).split(" [")[0],
        "commit": commit + ("+changes" if dirty else ""),
    }


def timing_script(catalog: Catalog, script: str, *args: str) -> dict:
    """Run one of the in-process timing scripts against the catalog; its JSON output."""
    done = subprocess.run(
        [str(PYTHON), str(BENCH / script), *args],
        env=django_env(catalog.database_url),
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(done.stdout)


def selector_timings(catalog: Catalog) -> dict:
    per_query = timing_script(
        catalog, "selector_timing.py", str(QUERIES_FILE), str(SELECTOR_ROUNDS)
    )
    facets = [q["facets_ms"] for q in per_query.values() if q["facets_ms"] is not None]
    return {
        "rounds": SELECTOR_ROUNDS,
        "all": summarise([ms for q in per_query.values() for ms in q["ms"]]),
        "facet_counts_uncached": summarise(facets),
        "per_query": {
            query: {
                "hits": q["hits"],
                "median_ms": round(statistics.median(q["ms"]), 2),
                "facets_ms": q["facets_ms"],
            }
            for query, q in per_query.items()
        },
    }


def match_timings(catalog: Catalog) -> dict:
    figures = timing_script(catalog, "match_timing.py", str(MATCH_ROUNDS))
    return {
        "model": figures["model"],
        "vectors": figures["vectors"],
        "descriptions": figures["descriptions"],
        "rounds": MATCH_ROUNDS,
        "index_build_seconds": round(catalog.embed_seconds, 1),
        "model_load_ms": figures["model_load_ms"],
        "index_load_ms": figures["index_load_ms"],
        "match_first_round": summarise(figures["match_first_round"]),
        **{
            part: summarise(figures[part])
            for part in ("match", "embed", "vector_scan", "text_rank")
        },
    }


def http_search(app: Gunicorn) -> dict:
    per_query: dict[str, list[float]] = {query: [] for query in queries()}
    for _ in range(HTTP_SEARCH_ROUNDS):
        for query in per_query:
            milliseconds, status, _body = timed_get(
                f"{app.base_url}/projekte/?{urlencode({'q': query})}"
            )
            if status != 200:
                raise RuntimeError(f"Search for {query!r} answered {status}; see {app.log}")
            per_query[query].append(milliseconds)
    return {
        "rounds": HTTP_SEARCH_ROUNDS,
        "first_round": summarise([times[0] for times in per_query.values()]),
        "later_rounds": summarise([ms for times in per_query.values() for ms in times[1:]]),
        "all": summarise([ms for times in per_query.values() for ms in times]),
        "per_query_ms": {q: [round(ms, 1) for ms in times] for q, times in per_query.items()},
    }


def checked(name: str, figures: dict) -> dict:
    if figures["errors"]:
        say(f"  {name}: wrk counted errors {figures['errors']} (status = not 2xx/3xx)")
    return figures


def wait_until_idle(app: Gunicorn, timeout: float = 60) -> None:
    """wrk stops sending, but requests it left queued are still being served: wait for them,
    so that they do not slow down whatever is measured next."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        milliseconds, _status, _body = timed_get(app.base_url + "/bench-idle-check/")
        if milliseconds < 50:
            return
        time.sleep(0.2)


def pages_under_load(catalog: Catalog, app: Gunicorn) -> tuple[dict, dict[str, bytes]]:
    results, bodies = {}, {}
    for page, path in catalog_sample_urls(catalog).items():
        say(f"  {page}: {path}")
        wait_until_idle(app)
        clear_cache(catalog)  # No page pays for the cache rows of the one before.
        # The first request renders the page into the empty cache; its bytes go to nginx.
        milliseconds, status, body = timed_get(app.base_url + path)
        if status != 200:
            raise RuntimeError(f"{path} answered {status}; see {app.log}")
        bodies[page] = body
        results[page] = {
            "path": path,
            "bytes": len(body),
            "first_request_ms": round(milliseconds, 1),
            # Tests of other work on the two cores halve the figures; this shows when.
            "load_average_before": round(os.getloadavg()[0], 2),
            # Repeated requests are answered from the app's page cache ...
            "app": checked(page, wrk(app.base_url + path)),
            # ... so the work of rendering shows only when every request misses it.
            "app_cache_miss": checked(page, wrk(app.base_url + path, bust_cache=True)),
        }
    return results, bodies


def nginx_limit(pages: dict, bodies: dict[str, bytes]) -> None:
    with Nginx(bodies) as nginx:
        for page, result in pages.items():
            _ms, status, body = timed_get(nginx.base_url + nginx.path_of(page))
            if status != 200 or body != bodies[page]:
                raise RuntimeError(f"nginx did not serve {page} as saved; see {nginx.log}")
            limit = checked(page, wrk(nginx.base_url + nginx.path_of(page)))
            result["nginx"] = limit
            for side in ("app", "app_cache_miss"):
                app = result[side]
                result[f"{side}_to_nginx"] = {
                    "requests_per_s": round(app["requests_per_s"] / limit["requests_per_s"], 4),
                    "p95": round(app["p95_ms"] / max(limit["p95_ms"], 0.001), 1),
                }


def measure(catalog: Catalog) -> dict:
    load_before = [round(load, 2) for load in os.getloadavg()]
    clear_cache(catalog)
    say(f"{catalog.label}: timing the search selector in-process")
    selector = selector_timings(catalog)
    say(f"{catalog.label}: timing 'match my problem' in-process")
    match = match_timings(catalog)
    with Gunicorn(django_env(catalog.database_url)) as app:
        say(f"{catalog.label}: search over HTTP, {HTTP_SEARCH_ROUNDS} rounds")
        search = http_search(app)
        say(f"{catalog.label}: pages under load")
        pages, bodies = pages_under_load(catalog, app)
    say(f"{catalog.label}: the same pages from nginx")
    nginx_limit(pages, bodies)
    return {
        "projects": catalog.projects,
        "database": str(catalog.path.relative_to(ROOT)),
        "database_mib": round(catalog.path.stat().st_size / 2**20, 1),
        "generate_seconds": round(catalog.generate_seconds, 1),
        "generate_reused": catalog.reused,
        "offers": sqlite_count(catalog.path, OFFERS),
        "articles": sqlite_count(catalog.path, PUBLISHED_ARTICLES),
        "offers_and_articles_seconds": catalog.extras,
        # Other work on the machine skews the figures; this shows whether there was any.
        "load_average_after": [round(load, 2) for load in os.getloadavg()],
        "load_average_before": load_before,
        "search_http": search,
        "search_selector": selector,
        "match": match,
        "pages": pages,
    }


def measure_postgres(results: dict, catalogs: dict[str, Catalog]) -> None:
    """Search and match timed in-process on PostgreSQL, over the same catalogs."""
    if not postgres.available():
        say("PostgreSQL is not installed: its timings are left out")
        return
    results["postgres"] = {}
    with postgres.server() as server_url:
        for label, catalog in catalogs.items():
            say(f"{label}: the same catalog in PostgreSQL")
            built = postgres.build(label, catalog.projects, server_url, catalog, SEED)
            on_postgres = dataclasses.replace(catalog, url=built["database_url"])
            clear_cache(on_postgres)
            say(f"{label}: search and match on PostgreSQL")
            results["postgres"][label] = {
                "build": built,
                "search_selector": selector_timings(on_postgres),
                "match": match_timings(on_postgres),
            }
            write_results(results)


def write_results(results: dict) -> None:
    RESULTS_FILE.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")


def print_table(results: dict) -> None:
    info = results["machine"]
    print()
    print(
        f"Transferhub benchmark {results['timestamp']} – {info['cores']} cores, "
        f"SQLite {info['sqlite']}, gunicorn {WORKERS} workers, wrk -t{WRK_THREADS} "
        f"-c{WRK_CONNECTIONS} -d{WRK_SECONDS}s"
    )
    print()
    print(report.markdown(results))
    print(f"\nAll figures: {RESULTS_FILE.relative_to(ROOT)}")


def main() -> None:
    ensure_tools()
    WORK.mkdir(parents=True, exist_ok=True)
    say("collectstatic (whitenoise's manifest storage needs it with DEBUG off)")
    manage("collectstatic", "--no-input", "-v", "0", env=django_env("sqlite://:memory:"))
    results = {
        "timestamp": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "machine": machine(),
        "settings": {
            "database": "SQLite",
            "gunicorn_workers": WORKERS,
            "wrk": {
                "threads": WRK_THREADS,
                "connections": WRK_CONNECTIONS,
                "seconds": WRK_SECONDS,
            },
            "http_search_rounds": HTTP_SEARCH_ROUNDS,
            "selector_rounds": SELECTOR_ROUNDS,
            "offer_share": OFFER_SHARE,
            "articles": ARTICLES,
            "queries": queries(),
        },
        "catalogs": {},
    }
    built = {}
    for label, projects in SIZES:
        say(f"{label}: building the catalog ({projects:,} projects) or reusing it")
        built[label] = catalog = build(label, projects)
        results["catalogs"][label] = measure(catalog)
        write_results(results)  # What is measured is kept even if a later size fails.
    measure_postgres(results, built)
    results["growth_100k_over_1k"] = report.growth_of(results)
    results["total_seconds"] = round(time.monotonic() - started_at)
    write_results(results)
    print_table(results)
    say("done")


if __name__ == "__main__":
    main()
