from apps.knowledge.diff import word_diff


def _marked(pieces) -> str:
    marks = {"same": "{}", "added": "[+{}]", "removed": "[-{}]"}
    return "".join(marks[piece.change].format(piece.text) for piece in pieces)


def test_a_changed_word_is_marked_inside_its_paragraph():
    old = "Erster Absatz.\n\nWir waren 40 Leute.\n\nLetzter Absatz."
    new = "Erster Absatz.\n\nWir waren 60 Leute.\n\nLetzter Absatz."
    assert _marked(word_diff(old, new)) == (
        "Erster Absatz.\n\nWir waren [-40][+60] Leute.\n\nLetzter Absatz."
    )


def test_an_added_paragraph_is_marked_whole():
    old = "Eins.\n\nDrei."
    new = "Eins.\n\nZwei.\n\nDrei."
    assert _marked(word_diff(old, new)) == "Eins.\n\n[+Zwei.\n\n]Drei."


def test_a_long_rewrite_is_shown_as_removed_and_added_without_comparing_every_word():
    old = " ".join(f"w{i % 50}" for i in range(8000))
    new = " ".join(f"w{(i * 7) % 50}" for i in range(8000))
    pieces = word_diff(old, new)
    assert [piece.change for piece in pieces] == ["removed", "added"]
