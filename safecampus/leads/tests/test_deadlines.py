"""A lead's time limits in working days, and escalation to the bureau's leaders, frozen clock."""

from __future__ import annotations

from datetime import datetime

import pytest
import time_machine

from conftest import _person
from safecampus.cases.models import Deadline
from safecampus.cases.services import deadline_sweep
from safecampus.core.localtime import CHINA_TZ
from safecampus.leads.services import lead_accept, lead_transfer
from safecampus.notifications.models import Notification
from safecampus.organizations.choices import Role

pytestmark = pytest.mark.django_db

#: Friday 30 April 2026, 16:00 — the eve of the Labour Day holiday (1–5 May, 2026).
BEFORE_MAY_DAY = datetime(2026, 4, 30, 16, 0, tzinfo=CHINA_TZ)


@pytest.fixture
def leader(district):
    return _person("leader", district.bureau, Role.BUREAU_LEADER, full_name="孙局长")


def _due(lead, purpose):
    return Deadline.objects.for_case(lead).get(purpose=purpose, cancelled_at__isnull=True)


def test_acknowledgement_is_due_the_next_working_day_after_a_holiday(report_lead):
    with time_machine.travel(BEFORE_MAY_DAY, tick=False):
        lead = report_lead()
    due = _due(lead, "acknowledge").due_at.astimezone(CHINA_TZ)
    assert (due.month, due.day, due.hour) == (5, 6, 23)  # 1–5 May off; 6 May is a working day


def test_an_unacknowledged_lead_escalates_to_the_leader_once(report_lead, leader, safety_officer):
    with time_machine.travel(BEFORE_MAY_DAY, tick=False):
        lead = report_lead()
    with time_machine.travel(datetime(2026, 5, 6, 20, 0, tzinfo=CHINA_TZ), tick=False):
        assert deadline_sweep() == 0  # still due today
    with time_machine.travel(datetime(2026, 5, 7, 9, 0, tzinfo=CHINA_TZ), tick=False):
        assert deadline_sweep() == 1
        assert deadline_sweep() == 0  # told once
    told = Notification.objects.filter(object_id=str(lead.pk), verb__endswith="escalated")
    assert {"leader", "safety_officer"} <= set(told.values_list("recipient__username", flat=True))


def test_accepting_meets_acknowledgement_and_starts_the_category_limit(
    report_lead, safety_officer, district
):
    with time_machine.travel(BEFORE_MAY_DAY, tick=False):
        lead = report_lead()
        lead_accept(actor=safety_officer, lead=lead)
        [transfer] = lead_transfer(
            actor=safety_officer, lead=lead, to_units=[district.police_station], feedback_days=3
        )
    assert _due(lead, "acknowledge").met_at is not None
    conclude = _due(lead, "conclude")
    assert (conclude.days, conclude.working_days) == (lead.category.conclude_days or 30, True)
    assert conclude.escalate_to == district.bureau
    feedback = transfer.feedback_deadline
    assert feedback.escalate_to == district.bureau
    due = feedback.due_at.astimezone(CHINA_TZ)
    assert (due.month, due.day) == (5, 8)  # 6, 7, 8 May
