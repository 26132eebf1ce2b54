"""Shared fixtures of the inspections tests."""

from __future__ import annotations

import pytest

from safecampus.inspections.tests.factories import make_checklist


@pytest.fixture
def gate_checklist(db):
    """A published six-item gate checklist (supervisory kind) with one veto item."""
    return make_checklist()
