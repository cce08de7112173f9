"""The pieces of "match my problem" that need no database: fusing rankings, fit, passages."""

import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

# Reciprocal rank fusion (Cormack et al. 2009): score = Σ weight / (K + rank), with the usual
# K = 60. Meaning counts more than shared words. On the evaluation set (`make eval --tune`) a
# smaller K scored higher, but not on held-out halves of the set, so the defaults stay.
RRF_K = 60
VECTOR_WEIGHT = 1.0
TEXT_WEIGHT = 0.6
# How much the fit with the person's municipality can lift a project's fused score.
FIT_WEIGHT = 0.1

_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-ZÄÖÜ0-9„\"])")
_MARKDOWN_PREFIX = re.compile(r"^\s*(?:[-*+]|\d+\.|#+|>)\s+")
_MARKDOWN_EMPHASIS = re.compile(r"[*_`]{1,3}")
MIN_PASSAGE_LENGTH = 25
MAX_PASSAGE_LENGTH = 280
MAX_PASSAGES = 4


def fuse(
    rankings: Sequence[Sequence[int]], weights: Sequence[float], k: int | None = None
) -> dict[int, float]:
    """Project id → fused score from several rankings (each a list of ids, best first)."""
    k = RRF_K if k is None else k
    scores: dict[int, float] = {}
    for ranking, weight in zip(rankings, weights, strict=True):
        for rank, project_id in enumerate(ranking, start=1):
            scores[project_id] = scores.get(project_id, 0.0) + weight / (k + rank)
    return scores


def ordered(scores: dict[int, float]) -> list[int]:
    return sorted(scores, key=lambda project_id: (-scores[project_id], project_id))


@dataclass(frozen=True)
class Fit:
    """How well a project suits a municipality, from what its sites and setting tell."""

    same_setting: bool
    same_size_sites: int
    sites: int

    @property
    def value(self) -> float:
        share = self.same_size_sites / self.sites if self.sites else 0.0
        return 0.5 * self.same_setting + 0.5 * share


def fit_for(
    *, project_setting: str, is_rural: bool, settlement_type: str, site_types: Sequence[str]
) -> Fit:
    """project_setting is rural/urban/both; site_types the settlement types of active sites."""
    return Fit(
        same_setting=project_setting == "both" or (project_setting == "rural") == is_rural,
        same_size_sites=sum(site_type == settlement_type for site_type in site_types),
        sites=len(site_types),
    )


def passages(*texts: str) -> list[str]:
    """The sentences of texts written in Markdown, plain, at most MAX_PASSAGES."""
    found: list[str] = []
    for text in texts:
        for line in (text or "").splitlines():
            line = _MARKDOWN_EMPHASIS.sub("", _MARKDOWN_PREFIX.sub("", line)).strip()
            for sentence in _SENTENCE_END.split(line):
                sentence = sentence.strip()
                if len(sentence) < MIN_PASSAGE_LENGTH:
                    continue
                if len(sentence) > MAX_PASSAGE_LENGTH:
                    sentence = sentence[: MAX_PASSAGE_LENGTH - 1].rsplit(" ", 1)[0] + "…"
                found.append(sentence)
                if len(found) == MAX_PASSAGES:
                    return found
    return found


def best_passage(sentences: list[str], vectors: np.ndarray, query: np.ndarray) -> str:
    if not sentences:
        return ""
    return sentences[int(np.argmax(vectors @ query))]
