"""Shared fixtures of the risk tests."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps
from django.utils import translation

_seed = importlib.import_module("safecampus.risk.migrations.0002_seed_bands_calendar").seed


@pytest.fixture(autouse=True)
def shipped_bands_and_calendar(request):
    """Every test sees the migrated bands and calendar, as on a fresh install, even after a
    transactional test elsewhere flushed them (tests that need none delete them)."""
    marker = request.node.get_closest_marker("django_db")
    names = request.fixturenames
    if marker is None and "db" not in names and "transactional_db" not in names:
        return  # a test without the database
    transactional = "transactional_db" in names or bool(marker and marker.kwargs.get("transaction"))
    request.getfixturevalue("transactional_db" if transactional else "db")
    _seed(apps, None)


@pytest.fixture(autouse=True)
def english_messages():
    """Service tests compare refusals with their English msgids; pages set their own
    language per request (the middleware), so this changes nothing there."""
    with translation.override("en"):
        yield
