"""A camera at school A's east gate and a one-key alarm in its guard room."""

from __future__ import annotations

import importlib
from datetime import datetime

import pytest
from django.apps import apps

from safecampus.core.localtime import CHINA_TZ
from safecampus.security.services.devices import device_register

#: Wednesday 11 March 2026, 23:10 Beijing time: night, outside class hours.
NIGHT = datetime(2026, 3, 11, 23, 10, tzinfo=CHINA_TZ)
#: The same day at 10:00: class hours.
MORNING = datetime(2026, 3, 11, 10, 0, tzinfo=CHINA_TZ)


@pytest.fixture(autouse=True)
def default_rules(db):
    """The district's default rules, as the data migration seeds them (a transactional test
    elsewhere in the run may have flushed the migrated rows)."""
    importlib.import_module("safecampus.security.migrations.0002_default_rules").seed(apps, None)


@pytest.fixture
def camera(district):
    device, secret = device_register(
        actor=None,
        school=district.school_a,
        kind="camera",
        name="东门枪机",
        zone="校门",
        code="XB-001-CAM1",
    )
    device.secret = secret
    return device


@pytest.fixture
def panic(district):
    device, secret = device_register(
        actor=None,
        school=district.school_a,
        kind="panic_button",
        name="门卫室一键报警",
        zone="门卫室",
        code="XB-001-SOS1",
    )
    device.secret = secret
    return device


def event(event_id: str, kind: str, at: datetime, **extra) -> dict:
    return {"event_id": event_id, "type": kind, "occurred_at": at.isoformat(), **extra}
