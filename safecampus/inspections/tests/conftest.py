"""Shared fixtures of the inspections tests."""

from __future__ import annotations

import pytest
from django.utils import translation

from safecampus.inspections.tests.factories import make_checklist


@pytest.fixture
def gate_checklist(db):
    """A published six-item gate checklist (supervisory kind) with one veto item."""
    return make_checklist()


@pytest.fixture(autouse=True)
def english_messages():
    """Service tests compare refusals with their English msgids; pages set their own
    language per request (the middleware), so this changes nothing there."""
    with translation.override("en"):
        yield
