"""Shared fixtures of the risk tests."""

from __future__ import annotations

import pytest
from django.utils import translation


@pytest.fixture(autouse=True)
def english_messages():
    """Service tests compare refusals with their English msgids; pages set their own
    language per request (the middleware), so this changes nothing there."""
    with translation.override("en"):
        yield
