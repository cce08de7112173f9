"""A readable word-by-word diff between two versions of a text, paragraph by paragraph."""

import difflib
import re
from dataclasses import dataclass

_TOKEN = re.compile(r"\s+|\w+|[^\w\s]", re.UNICODE)


@dataclass(frozen=True)
class Piece:
    text: str
    change: str  # "same", "added" or "removed"


def word_diff(old: str, new: str) -> list[Piece]:
    """The new text with what was removed and added marked, as pieces to render escaped."""
    old_tokens = _TOKEN.findall(old or "")
    new_tokens = _TOKEN.findall(new or "")
    matcher = difflib.SequenceMatcher(a=old_tokens, b=new_tokens, autojunk=False)
    pieces: list[Piece] = []
    for operation, a1, a2, b1, b2 in matcher.get_opcodes():
        if operation == "equal":
            pieces.append(Piece("".join(new_tokens[b1:b2]), "same"))
            continue
        if a2 > a1:
            pieces.append(Piece("".join(old_tokens[a1:a2]), "removed"))
        if b2 > b1:
            pieces.append(Piece("".join(new_tokens[b1:b2]), "added"))
    return pieces


def has_changes(pieces: list[Piece]) -> bool:
    return any(piece.change != "same" for piece in pieces)
