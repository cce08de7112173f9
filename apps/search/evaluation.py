"""Judged queries and the measures `make eval` reports: nDCG@10 and recall@10.

The queries (apps/search/eval/queries.json) were written and judged by hand against the demo
catalog; see the README beside them.
"""

import json
import math
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from .text import stems

QUERIES_FILE = Path(__file__).resolve().parent / "eval" / "queries.json"
CUTOFF = 10


@dataclass(frozen=True)
class JudgedQuery:
    query: str
    relevant: dict[str, int]  # project slug → grade (2 fits directly, 1 helps in part)


def load_queries(path: Path = QUERIES_FILE) -> list[JudgedQuery]:
    return [
        JudgedQuery(query=item["query"], relevant=dict(item["relevant"]))
        for item in json.loads(path.read_text(encoding="utf-8"))
    ]


def ndcg(ranked: list[str], relevant: dict[str, int], cutoff: int = CUTOFF) -> float:
    def dcg(grades: list[int]) -> float:
        return sum((2**grade - 1) / math.log2(rank + 2) for rank, grade in enumerate(grades))

    ideal = dcg(sorted(relevant.values(), reverse=True)[:cutoff])
    return dcg([relevant.get(slug, 0) for slug in ranked[:cutoff]]) / ideal if ideal else 0.0


def recall(ranked: list[str], relevant: dict[str, int], cutoff: int = CUTOFF) -> float:
    wanted = {slug for slug, grade in relevant.items() if grade > 0}
    return len(wanted & set(ranked[:cutoff])) / len(wanted) if wanted else 0.0


def shares_no_word(query: str, texts: list[str]) -> bool:
    """True if no stem of the query occurs among the stems of texts."""
    return not set(stems(query)) & {stem for text in texts for stem in stems(text)}


@dataclass(frozen=True)
class Scores:
    ndcg: float
    recall: float
    queries: int


def evaluate(queries: list[JudgedQuery], rank: Callable[[str], list[str]]) -> Scores:
    if not queries:
        return Scores(0.0, 0.0, 0)
    ndcgs, recalls = [], []
    for judged in queries:
        ranked = rank(judged.query)
        ndcgs.append(ndcg(ranked, judged.relevant))
        recalls.append(recall(ranked, judged.relevant))
    return Scores(sum(ndcgs) / len(ndcgs), sum(recalls) / len(recalls), len(queries))
