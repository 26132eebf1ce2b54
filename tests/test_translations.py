"""Chinese first, English complete: every string of the interface is in both catalogues."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest

ROOT = Path(__file__).resolve().parent.parent
CATALOGUES = sorted((ROOT / "locale").glob("*/LC_MESSAGES/django.po"))
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|%[sd]")


def test_both_languages_have_a_catalogue():
    assert {p.parts[-3] for p in CATALOGUES} == {"zh_Hans", "en"}


@pytest.mark.parametrize("path", CATALOGUES, ids=lambda p: p.parts[-3])
def test_every_entry_is_translated_and_keeps_its_placeholders(path):
    catalogue = polib.pofile(str(path))
    assert [e.msgid for e in catalogue.untranslated_entries()] == []
    assert [e.msgid for e in catalogue.fuzzy_entries()] == []
    for entry in catalogue:
        translations = entry.msgstr_plural.values() if entry.msgid_plural else [entry.msgstr]
        for text in translations:
            assert sorted(set(PLACEHOLDER.findall(text))) == sorted(
                set(PLACEHOLDER.findall(entry.msgid))
            ), entry.msgid


def _pairs(catalogue) -> dict:
    return {
        (e.msgctxt, e.msgid): (
            e.msgstr,
            tuple(sorted((int(k), v) for k, v in e.msgstr_plural.items())),
        )
        for e in catalogue
        if e.msgid and (e.msgstr or e.msgstr_plural)
    }


@pytest.mark.parametrize("path", CATALOGUES, ids=lambda p: p.parts[-3])
def test_compiled_catalogue_matches_its_source(path):
    source = polib.pofile(str(path))
    compiled = polib.mofile(str(path.with_suffix(".mo")))
    assert _pairs(compiled) == _pairs(source)


def test_catalogue_holds_every_string_in_the_code(tmp_path):
    """makemessages on a copy finds no msgid that the committed catalogue lacks."""
    if shutil.which("xgettext") is None:
        if os.environ.get("CI") == "true":
            pytest.fail("GNU gettext (xgettext) is needed in CI to check the catalogue")
        pytest.skip("GNU gettext is not installed")
    copy = tmp_path / "src"
    shutil.copytree(
        ROOT,
        copy,
        ignore=shutil.ignore_patterns(
            ".venv", "node_modules", "var", ".git", "vendor", "__pycache__", "*.mo"
        ),
    )
    subprocess.run(
        [
            sys.executable,
            "manage.py",
            "makemessages",
            "-l",
            "zh_Hans",
            "--no-obsolete",
            "-i",
            "node_modules",
            "-i",
            "var",
            "-i",
            "static/vendor",
            "-i",
            "bench",
        ],
        cwd=copy,
        check=True,
        capture_output=True,
        env={**os.environ, "SAFECAMPUS_VAR_DIR": str(tmp_path / "var")},
    )
    fresh = {e.msgid for e in polib.pofile(str(copy / "locale/zh_Hans/LC_MESSAGES/django.po"))}
    committed = {e.msgid for e in polib.pofile(str(ROOT / "locale/zh_Hans/LC_MESSAGES/django.po"))}
    assert sorted(fresh - committed) == []
