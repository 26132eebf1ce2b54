"""The demo leads: made through the services, spread over the year, created once."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from safecampus.audit.services import audit_verify
from safecampus.cases.models import CaseEvent
from safecampus.leads.models import Lead

pytestmark = pytest.mark.django_db


def test_demo_leads_walk_the_workflow_and_are_made_once(categories):
    call_command("seed_demo", "--schools", "12", "--quiet", stdout=StringIO())
    out = StringIO()
    call_command("seed_demo_leads", "--count", "21", stdout=out)
    assert "21 created" in out.getvalue()
    statuses = set(Lead.objects.values_list("status", flat=True))
    assert {"received", "accepted", "transferred", "handling", "concluded", "closed"} <= statuses
    oldest = Lead.objects.order_by("created_at").first()
    assert (timezone.now() - oldest.created_at).days > 30
    for lead in Lead.objects.all():  # the timeline moved with the lead
        first = CaseEvent.objects.for_case(lead).order_by("at").first()
        assert abs((first.at - lead.created_at).total_seconds()) < 5
    # Each lead lived its steps over days: a concluded one took 3 days or more (was 0).
    concluded = Lead.objects.filter(concluded_at__isnull=False)
    assert concluded.exists()
    assert all((c.concluded_at - c.created_at).days >= 3 for c in concluded)
    # No two reports read the same.
    assert Lead.objects.values("description").distinct().count() == 21
    assert audit_verify().ok
    with connection.cursor() as cursor:
        cursor.execute("SELECT persons_involved FROM leads_lead WHERE persons_involved <> ''")
        stored = [value for (value,) in cursor.fetchall()]
    assert len(stored) == 16 and all(value.startswith("enc1:") for value in stored)
    assert {lead.persons_involved for lead in Lead.objects.all()} == {
        "张小明、李小华",
        "两名社会青年，约二十岁，骑电动车",
        "",
        "陈某某",
    }
    call_command("seed_demo_leads", stdout=StringIO())
    assert Lead.objects.count() == 21
