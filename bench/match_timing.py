"""In-process timing of "match my problem", without HTTP and templates.

Run by run.py in a subprocess with the catalog's DATABASE_URL:
    match_timing.py ROUNDS
Prints one JSON object. The descriptions are the judged queries of `make eval`; every other one
is asked with a municipality, so the fit and distance work is part of the figures. Loading the
model and the vectors is timed on its own; the first round, which also fills the cache of
passage vectors, is reported apart from the later ones.
Per description it times the whole selector and, separately, its three parts: embedding the
description, the scan over all vectors and the full-text ranking (of the words
that not too many projects share, as the selector does).
"""

import json
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "transferhub.settings")


def milliseconds_since(started: float) -> float:
    return round((time.perf_counter() - started) * 1000, 3)


def main() -> None:
    import django

    django.setup()
    from apps.places.models import Municipality
    from apps.search.backends import get_backend
    from apps.search.embeddings import get_embedder
    from apps.search.evaluation import load_queries
    from apps.search.selectors import CANDIDATES_PER_METHOD, distinctive_terms, match_projects
    from apps.search.text import query_terms
    from apps.search.vectors import vector_index

    rounds = int(sys.argv[1])
    descriptions = [judged.query for judged in load_queries()]
    places = list(
        Municipality.objects.filter(population__lt=20_000).order_by("pk")[: len(descriptions)]
    )
    asks = [
        (text, places[i % len(places)] if i % 2 and places else None)
        for i, text in enumerate(descriptions)
    ]

    started = time.perf_counter()
    embedder = get_embedder()
    embedder.embed_queries(["warm up"])
    model_load_ms = milliseconds_since(started)
    started = time.perf_counter()
    index = vector_index(embedder.name, embedder.dimensions)
    index.refresh()
    index_load_ms = milliseconds_since(started)

    # The first round meets an empty cache of passage vectors (see selectors._add_passages).
    first_round = []
    for text, place in asks:
        started = time.perf_counter()
        match_projects(text=text, municipality=place)
        first_round.append(milliseconds_since(started))
    figures = {"match": [], "embed": [], "vector_scan": [], "text_rank": []}
    for _ in range(rounds):
        for text, place in asks:
            started = time.perf_counter()
            match_projects(text=text, municipality=place)
            figures["match"].append(milliseconds_since(started))

            started = time.perf_counter()
            vector = embedder.embed_queries([text])[0]
            figures["embed"].append(milliseconds_since(started))
            started = time.perf_counter()
            index.nearest(vector, CANDIDATES_PER_METHOD)
            figures["vector_scan"].append(milliseconds_since(started))
            started = time.perf_counter()
            get_backend().best(distinctive_terms(query_terms(text)), CANDIDATES_PER_METHOD)
            figures["text_rank"].append(milliseconds_since(started))
    print(
        json.dumps(
            {
                "model": embedder.name,
                "vectors": len(index),
                "descriptions": len(asks),
                "model_load_ms": model_load_ms,
                "index_load_ms": index_load_ms,
                "match_first_round": first_round,
                **figures,
            }
        )
    )


if __name__ == "__main__":
    main()
