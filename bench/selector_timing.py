"""In-process timing of the catalog search, without HTTP and templates.

Run by run.py in a subprocess with the catalog's DATABASE_URL:
    selector_timing.py QUERIES_FILE ROUNDS
Prints one JSON object. Per query it times what the catalog view asks of the database: the
selector, the paginator's count and the first page with its prefetched topics. One round first
warms the caches of Python and SQLite and is not counted.
"""

import json
import os
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "transferhub.settings")


def time_search(query: str) -> tuple[float, int, object]:
    from django.core.paginator import Paginator
    from django.http import QueryDict

    from apps.catalog.selectors import catalog_search

    started = time.perf_counter()
    result = catalog_search(params=QueryDict(urlencode({"q": query})))
    page = Paginator(result.projects, 20).get_page(1)
    list(page.object_list)
    return (time.perf_counter() - started) * 1000, page.paginator.count, result


def time_facets(result) -> float | None:
    """The facet counts of the result, bypassing their cache (if this version has them)."""
    from apps.catalog import selectors

    count_facets = getattr(selectors, "_count_facets", None)
    if count_facets is None:
        return None
    started = time.perf_counter()
    count_facets(result.projects)
    return (time.perf_counter() - started) * 1000


def main() -> None:
    import django

    django.setup()
    queries_file, rounds = Path(sys.argv[1]), int(sys.argv[2])
    queries = [
        line.strip()
        for line in queries_file.read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    ]
    for query in queries:
        time_search(query)
    per_query: dict[str, dict] = {query: {"ms": []} for query in queries}
    for _ in range(rounds):
        for query in queries:
            milliseconds, hits, result = time_search(query)
            per_query[query]["ms"].append(round(milliseconds, 2))
            per_query[query]["hits"] = hits
    for query in queries:
        _, _, result = time_search(query)
        facets = time_facets(result)
        per_query[query]["facets_ms"] = None if facets is None else round(facets, 2)
    print(json.dumps(per_query))


if __name__ == "__main__":
    main()
