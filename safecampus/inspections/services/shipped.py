"""The district's starting checklists, shipped by the data migration ``0002_seed_templates``
with their English from ``0005_seed_english``.

The content lives in the migrations (frozen, as migrations must be); this module gives the
rest of the code its codes and a way to put back any that were deleted (demo data, the
benchmark), without overwriting checklists the bureau has changed since.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

from django.apps import apps

_MIGRATION = "safecampus.inspections.migrations.0002_seed_templates"
_ENGLISH_MIGRATION = "safecampus.inspections.migrations.0005_seed_english"

DAILY_GATE_PATROL = "daily-gate-patrol"
MONTHLY_SELF_INSPECTION = "monthly-self-inspection"
SURROUNDINGS_CHECK = "surroundings-check"
SCHOOL_BUS_CHECK = "school-bus-check"
SUPERVISION_VISIT = "supervision-visit"
SAFE_CAMPUS_EVALUATION = "safe-campus-evaluation"

SHIPPED_CODES = (
    DAILY_GATE_PATROL,
    MONTHLY_SELF_INSPECTION,
    SURROUNDINGS_CHECK,
    SCHOOL_BUS_CHECK,
    SUPERVISION_VISIT,
    SAFE_CAMPUS_EVALUATION,
)


def shipped_specs() -> list[dict[str, Any]]:
    """The templates as the migration ships them (plain data)."""
    return list(import_module(_MIGRATION).TEMPLATES)


def shipped_english() -> dict[str, dict[str, Any]]:
    """The English of the shipped templates, by code: name, description, sections by Chinese
    title, items by code as (check, guidance)."""
    return dict(import_module(_ENGLISH_MIGRATION).ENGLISH)


def seed_shipped() -> None:
    """Create the shipped checklists that are missing, in Chinese and English (idempotent;
    English already entered is kept)."""
    import_module(_MIGRATION).seed(apps, None)
    import_module(_ENGLISH_MIGRATION).fill(apps, None)
