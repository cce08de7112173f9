"""A readable diff between two versions of a text: paragraphs first, then words.

Comparing whole texts word by word grows with the square of their length (a long rewrite took
minutes); paragraphs are compared first, and only changed paragraphs of moderate size are
compared word by word.
"""

import difflib
import re
from dataclasses import dataclass

_TOKEN = re.compile(r"\s+|\w+|[^\w\s]", re.UNICODE)
_PARAGRAPH = re.compile(r"(?<=\n\n)")
# Above this many tokens on either side, a changed stretch is shown as removed and added.
WORD_DIFF_LIMIT = 1500


@dataclass(frozen=True)
class Piece:
    text: str
    change: str  # "same", "added" or "removed"


def word_diff(old: str, new: str) -> list[Piece]:
    """The new text with what was removed and added marked, as pieces to render escaped."""
    old_paragraphs = _PARAGRAPH.split(old or "")
    new_paragraphs = _PARAGRAPH.split(new or "")
    matcher = difflib.SequenceMatcher(a=old_paragraphs, b=new_paragraphs, autojunk=False)
    pieces: list[Piece] = []
    for operation, a1, a2, b1, b2 in matcher.get_opcodes():
        removed, added = "".join(old_paragraphs[a1:a2]), "".join(new_paragraphs[b1:b2])
        if operation == "equal":
            pieces.append(Piece(added, "same"))
        else:
            pieces.extend(_words(removed, added))
    return _merged(pieces)


def _words(old: str, new: str) -> list[Piece]:
    old_tokens, new_tokens = _TOKEN.findall(old), _TOKEN.findall(new)
    if max(len(old_tokens), len(new_tokens)) > WORD_DIFF_LIMIT:
        return [Piece(text, change) for text, change in ((old, "removed"), (new, "added")) if text]
    matcher = difflib.SequenceMatcher(a=old_tokens, b=new_tokens, autojunk=False)
    pieces = []
    for operation, a1, a2, b1, b2 in matcher.get_opcodes():
        if operation == "equal":
            pieces.append(Piece("".join(new_tokens[b1:b2]), "same"))
            continue
        if a2 > a1:
            pieces.append(Piece("".join(old_tokens[a1:a2]), "removed"))
        if b2 > b1:
            pieces.append(Piece("".join(new_tokens[b1:b2]), "added"))
    return pieces


def _merged(pieces: list[Piece]) -> list[Piece]:
    """Neighbouring pieces of the same kind as one."""
    merged: list[Piece] = []
    for piece in pieces:
        if merged and merged[-1].change == piece.change:
            merged[-1] = Piece(merged[-1].text + piece.text, piece.change)
        elif piece.text:
            merged.append(piece)
    return merged


def has_changes(pieces: list[Piece]) -> bool:
    return any(piece.change != "same" for piece in pieces)
