"""The German interface is complete: every string has a translation that is compiled."""

import gettext
import json
import re
from pathlib import Path

from django.conf import settings

GERMAN = Path(settings.BASE_DIR) / "locale" / "de" / "LC_MESSAGES"


def po_entries(path: Path) -> list[tuple[str, list[str], bool, str | None]]:
    """(msgid, msgstrs, fuzzy, msgctxt) for each entry of a .po file, header excluded."""
    entries = []
    for block in path.read_text(encoding="utf-8").split("\n\n"):
        if "msgid" not in block or re.search(r'^msgid ""\nmsgstr ""\n"', block, re.MULTILINE):
            continue
        fuzzy = "#, fuzzy" in block or ", fuzzy" in block
        parts = re.split(r"^(msgid|msgid_plural|msgstr(?:\[\d\])?) ", block, flags=re.MULTILINE)
        fields: dict[str, list[str]] = {}
        for key, value in zip(parts[1::2], parts[2::2], strict=True):
            text = "".join(re.findall(r'"((?:[^"\\]|\\.)*)"', value))
            fields.setdefault(key.split("[")[0], []).append(text)
        context = re.search(r'^msgctxt "((?:[^"\\]|\\.)*)"', block, re.MULTILINE)
        entries.append((fields["msgid"][0], fields["msgstr"], fuzzy, context and context[1]))
    return entries


def test_every_german_string_is_translated_and_not_fuzzy():
    missing = [
        msgid
        for msgid, strs, fuzzy, _context in po_entries(GERMAN / "django.po")
        if fuzzy or not all(strs)
    ]
    assert missing == []


def test_the_compiled_catalogue_holds_every_translation():
    """The .mo file is compiled from the current .po file (run `make messages` after edits)."""
    with (GERMAN / "django.mo").open("rb") as compiled:
        catalogue = gettext.GNUTranslations(compiled)

    def compiled(msgid: str, context: str | None) -> str:
        if context:
            return catalogue.pgettext(unescape(context), unescape(msgid))
        return catalogue.gettext(unescape(msgid))

    stale = [
        msgid
        for msgid, strs, _fuzzy, context in po_entries(GERMAN / "django.po")
        if len(strs) == 1 and compiled(msgid, context) != unescape(strs[0])
    ]
    assert stale == []


def unescape(text: str) -> str:
    return json.loads(f'"{text}"')
