"""`make run`'s demo seeding (issue #11 §5): it sends no e-mail and calls no webhook, and every
link it writes into a message is built on the one ``SITE_URL`` setting.

A small demo district goes through the same commands ``make demo`` runs, with a webhook
endpoint that listens to every event, so that messages of every app that notifies (leads,
risk warnings, the case kernel's escalations) are written — and kept as suppressed.
"""

from __future__ import annotations

import importlib
import re

import pytest
from django.apps import apps
from django.core import mail
from django.core.management import call_command

from safecampus.cases.demo import DEMO_OUTBOX_REASON
from safecampus.cases.services import deadline_sweep
from safecampus.inspections.services.shipped import seed_shipped
from safecampus.notifications.choices import Channel, OutboxStatus
from safecampus.notifications.models import Notification, OutboxMessage
from safecampus.notifications.services import outbox_deliver
from safecampus.notifications.tests.factories import WebhookEndpointFactory

SITE = "https://campus.example.edu.cn:8443"
URL = re.compile(r"[a-z][a-z0-9+.-]*://[^\s\"'<>]+", re.I)


@pytest.fixture
def shipped_reference_data(db):
    """The categories, bands, calendar and checklists the migrations ship (a transactional
    test earlier in this worker may have flushed the migrated rows)."""
    for module in (
        "safecampus.leads.migrations.0002_seed_categories",
        "safecampus.risk.migrations.0002_seed_bands_calendar",
    ):
        importlib.import_module(module).seed(apps, None)
    seed_shipped()


@pytest.mark.django_db
def test_demo_seeding_sends_nothing_and_links_to_site_url(settings, shipped_reference_data):
    settings.SITE_URL = SITE
    call_command("seed_demo", "--schools", "4", "--quiet", "--no-devices")
    WebhookEndpointFactory(unit=None, url="http://127.0.0.1:9/hook", verbs=[])
    call_command("seed_demo_leads", "--count", "12")
    call_command("seed_demo_inspections", "--seed", "7", "--no-answers")
    call_command("seed_demo_risk", "--months", "2")

    rows = list(OutboxMessage.objects.all())
    by_channel = {
        channel: sum(1 for row in rows if row.channel == channel) for channel in Channel.values
    }
    assert by_channel[Channel.EMAIL] > 0 and by_channel[Channel.WEBHOOK] > 0
    assert {(row.status, row.last_error, row.attempts) for row in rows} == {
        (OutboxStatus.SUPPRESSED, DEMO_OUTBOX_REASON, 0)
    }
    assert Notification.objects.count() > 0  # the demo's inboxes are there to show
    # The worker's first rounds after `make run` find nothing to send or escalate.
    assert outbox_deliver().sent == 0
    assert deadline_sweep() == 0
    assert mail.outbox == []

    links = [
        link
        for row in rows
        for link in URL.findall(row.payload["body"] if row.channel == Channel.EMAIL else "")
    ] + [row.payload["url"] for row in rows if row.channel == Channel.WEBHOOK]
    assert links and all(link.startswith(f"{SITE}/") for link in links), {
        link for link in links if not link.startswith(f"{SITE}/")
    }
    verbs = {row.payload["verb"] for row in rows if row.channel == Channel.WEBHOOK}
    assert {
        "leads.lead.transferred",
        "risk.schoolwarning.issued",
        "cases.deadline.escalated",
    } <= verbs
