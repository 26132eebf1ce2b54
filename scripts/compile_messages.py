"""Compile every locale/*/LC_MESSAGES/*.po into .mo with polib (no GNU gettext needed).

Source strings are English, so the English catalogue is completed with each
msgid as its own translation before compiling; any other language must be
translated by a person (the catalogue test fails on a missing entry).
"""

from __future__ import annotations

from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parent.parent
SOURCE_LANGUAGE = "en"


def complete_source_catalogue(catalogue: polib.POFile) -> None:
    """The English catalogue is the msgids themselves, always (a fuzzy match that
    makemessages carried over from a similar string must never survive)."""
    for entry in catalogue:
        if entry.msgid_plural:
            entry.msgstr_plural = {0: entry.msgid, 1: entry.msgid_plural}
        else:
            entry.msgstr = entry.msgid
        if "fuzzy" in entry.flags:
            entry.flags.remove("fuzzy")
        entry.previous_msgid = entry.previous_msgid_plural = entry.previous_msgctxt = None


def main() -> None:
    for po_path in sorted((ROOT / "locale").glob("*/LC_MESSAGES/*.po")):
        catalogue = polib.pofile(str(po_path), wrapwidth=100)
        if po_path.parts[-3] == SOURCE_LANGUAGE:
            complete_source_catalogue(catalogue)
        for entry in catalogue:
            # "#| msgid_plural" without "#| msgid" (polib leaves it) breaks msgmerge.
            entry.previous_msgid = entry.previous_msgid_plural = entry.previous_msgctxt = None
        catalogue.save()
        catalogue.save_as_mofile(str(po_path.with_suffix(".mo")))
        print(
            f"{po_path.relative_to(ROOT)}: {len(catalogue.translated_entries())}/{len(catalogue)}"
        )


if __name__ == "__main__":
    main()
