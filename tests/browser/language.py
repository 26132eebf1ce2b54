"""What a page shows that is not in the reader's language (issue #14).

An English page may show Chinese only where it is user data — school and person names,
free text typed by people, demo lead stories — never a label, a choice or seeded reference
data (those have English names). A Chinese page may show Latin words only where they are
user data or terms users meet as they are (PDF, Excel, API…); an English UI word there is a
missing translation.

User data is read from the database the pages are served from: every text value of the
project's models, except the Chinese side of localized reference fields (``name`` beside
``name_en``: an English page must show the English) and coded values (choices).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from django.apps import apps
from django.db import models

from safecampus.core.i18n import ENGLISH_SUFFIX

#: Runs of Chinese text: Han characters with CJK punctuation and full-width forms.
CHINESE_RUN = re.compile(
    r"[\u3400-\u9fff\u3000-\u303f\uff00-\uffef]*[\u3400-\u9fff][\u3400-\u9fff\u3000-\u303f\uff00-\uffef]*"
)
#: Latin words of three letters or more that stand alone (not part of a code like XS-2026-1).
LATIN_WORD = re.compile(r"(?<![\w.@/#-])[A-Za-z][a-z]{2,}(?:'[a-z]+)?(?![\w@/-])")
#: Latin words a Chinese page shows as they are: product and format names, protocols.
LATIN_TERMS = frozenset(
    {
        "SafeCampus",
        "Excel",
        "PDF",
        "CSV",
        "API",
        "JSON",
        "GeoJSON",
        "MQTT",
        "NATS",
        "HTTP",
        "HTTPS",
        "Digest",
        "TOTP",
        "Leaflet",
        "ECharts",
        "OpenAPI",
        "Swagger",
        "Webhook",
        "Token",
        "Bearer",
        "Chrome",
        "Chromium",
        "Firefox",
        "Edge",
        "Safari",
        "Android",
        "iOS",
        "Windows",
        "Linux",
        "WeChat",
        "Noto",
        "Sans",
        "Bootstrap",
        "Redis",
        "PostgreSQL",
        "SQLite",
        "Mosquitto",
        "Hikvision",
        "Dahua",
        "ONVIF",
        "ISAPI",
        "Uniview",
    }
)
#: Apps whose rows are not user data (codes and machine text).
NOT_USER_DATA_APPS = frozenset({"audit", "auth", "contenttypes", "sessions", "admin", "otp_totp"})


@dataclass
class UserData:
    """The text people put into the database, to tell it apart from the interface."""

    text: str = ""
    words: set[str] = field(default_factory=set)

    def holds(self, run: str) -> bool:
        return run in self.text

    def has_word(self, word: str) -> bool:
        return word.casefold() in self.words


def _text_fields(model: type[models.Model]) -> list[str]:
    names = {f.name for f in model._meta.concrete_fields}
    return [
        f.attname
        for f in model._meta.concrete_fields
        if isinstance(f, (models.CharField, models.TextField))
        and not f.choices
        and not f.name.endswith(ENGLISH_SUFFIX)
        and f.name + ENGLISH_SUFFIX not in names
    ]


def user_data() -> UserData:
    """Every text value of the project's models that people (or the demo) wrote."""
    values: list[str] = []
    for model in apps.get_models():
        if model._meta.app_label in NOT_USER_DATA_APPS:
            continue
        fields = _text_fields(model)
        if not fields:
            continue
        for row in model._default_manager.values_list(*fields):
            values += [str(v) for v in row if v]
    text = "\n".join(values)
    return UserData(text=text, words={w.casefold() for w in re.findall(r"[A-Za-z]+", text)})


def foreign_text(text: str, language: str, data: UserData) -> list[str]:
    """The runs of ``text`` in the other language that are not user data, each once."""
    if language.startswith("en"):
        found = [run for run in CHINESE_RUN.findall(text) if not data.holds(run)]
    else:
        found = [
            word
            for word in LATIN_WORD.findall(text)
            if word not in LATIN_TERMS and not data.has_word(word)
        ]
    return list(dict.fromkeys(found))
