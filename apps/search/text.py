"""Turning German text into the terms both search backends index and query.

Both backends index the same Snowball stems, so search behaves alike on SQLite and PostgreSQL.
German glues words together ("Gemeinschaftsgarten"), and the head of a compound is its last
part, so every stem is indexed a second time reversed: a prefix query on the reversed stems
("trag*" for "gart") then finds the words that end in the query's stem.
"""

import re
from dataclasses import dataclass
from functools import lru_cache

import snowballstemmer

MAX_QUERY_TERMS = 12
MIN_PREFIX_LENGTH = 3
MIN_SUFFIX_LENGTH = 4
# Longer "words" are noise (pasted hashes, keyboard mashing); the longest German words fit.
MAX_WORD_LENGTH = 64

_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)
_stemmer = snowballstemmer.stemmer("german")

STOPWORDS = frozenset(
    [
        "aber",
        "alle",
        "allem",
        "allen",
        "aller",
        "alles",
        "als",
        "also",
        "am",
        "an",
        "ander",
        "andere",
        "anderem",
        "anderen",
        "anderer",
        "anderes",
        "auch",
        "auf",
        "aus",
        "bei",
        "bin",
        "bis",
        "bist",
        "da",
        "damit",
        "dann",
        "das",
        "dass",
        "dem",
        "den",
        "denn",
        "der",
        "des",
        "die",
        "dies",
        "diese",
        "diesem",
        "diesen",
        "dieser",
        "dieses",
        "doch",
        "dort",
        "du",
        "durch",
        "ein",
        "eine",
        "einem",
        "einen",
        "einer",
        "eines",
        "er",
        "es",
        "etwas",
        "für",
        "hat",
        "hatte",
        "hier",
        "ich",
        "ihr",
        "im",
        "in",
        "ins",
        "ist",
        "ja",
        "jede",
        "jedem",
        "jeden",
        "jeder",
        "jedes",
        "kann",
        "kein",
        "keine",
        "man",
        "mit",
        "nach",
        "nicht",
        "noch",
        "nur",
        "ob",
        "oder",
        "ohne",
        "sehr",
        "sich",
        "sie",
        "sind",
        "so",
        "über",
        "um",
        "und",
        "uns",
        "unser",
        "unsere",
        "unter",
        "vom",
        "von",
        "vor",
        "war",
        "was",
        "weil",
        "wenn",
        "wer",
        "wie",
        "wir",
        "wird",
        "wo",
        "zu",
        "zum",
        "zur",
        "zwischen",
        "a",
        "an",
        "and",
        "are",
        "as",
        "at",
        "be",
        "by",
        "for",
        "from",
        "in",
        "is",
        "it",
        "of",
        "on",
        "or",
        "that",
        "the",
        "to",
        "with",
    ]
)


@dataclass(frozen=True)
class IndexedText:
    title: str
    body: str
    reversed: str


@lru_cache(maxsize=50_000)
def stem(word: str) -> str:
    return _stemmer.stemWord(word)


def stems(text: str) -> list[str]:
    words = (word.lower() for word in _WORD.findall(text or ""))
    return [
        stem(word) for word in words if 1 < len(word) <= MAX_WORD_LENGTH and word not in STOPWORDS
    ]


def index_text(title: str, body: str) -> IndexedText:
    title_stems = stems(title)
    body_stems = stems(body)
    every_stem = dict.fromkeys(title_stems + body_stems)
    return IndexedText(
        title=" ".join(title_stems),
        body=" ".join(body_stems),
        reversed=" ".join(term[::-1] for term in every_stem if len(term) >= MIN_SUFFIX_LENGTH),
    )


def query_terms(query: str, limit: int | None = MAX_QUERY_TERMS) -> list[str]:
    """The distinct stems of a query, at most `limit`, shortest noise dropped."""
    unique = dict.fromkeys(term for term in stems(query) if len(term) >= 2)
    return list(unique)[:limit]
