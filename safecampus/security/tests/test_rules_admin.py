"""The bureau edits district rules, a school its own; the rule book applies what they set."""

from __future__ import annotations

from datetime import time

import pytest

from conftest import login
from safecampus.core.errors import ForbiddenError
from safecampus.security.choices import Priority
from safecampus.security.models import AlertRule
from safecampus.security.services.ingest import RuleBook
from safecampus.security.services.rules import RuleError, rule_save
from safecampus.security.tests.conftest import MORNING, NIGHT

pytestmark = pytest.mark.django_db


def test_school_leaders_edit_only_their_own_school(district, officer_a, officer_b, safety_officer):
    mine = rule_save(
        actor=officer_a,
        rule=None,
        school=district.school_a,
        name="操场夜间徘徊",
        event_type="loitering",
        priority=Priority.HIGH,
        zone="操场",
        starts_at=time(21, 0),
        ends_at=time(6, 0),
    )
    with pytest.raises(ForbiddenError):
        rule_save(
            actor=officer_b,
            rule=mine,
            school=district.school_a,
            name="x",
            event_type="loitering",
            priority=Priority.LOW,
        )
    with pytest.raises(ForbiddenError):
        rule_save(
            actor=officer_a,
            rule=None,
            school=None,
            name="全区",
            event_type="fight",
            priority=Priority.LOW,
        )
    district_rule = AlertRule.objects.get(event_type="panic_button", school=None)
    with pytest.raises(ForbiddenError):
        rule_save(
            actor=officer_a,
            rule=district_rule,
            school=None,
            name="x",
            event_type="panic_button",
            priority=Priority.LOW,
        )
    rule_save(
        actor=safety_officer,
        rule=district_rule,
        school=None,
        name="一键报警",
        event_type="panic_button",
        priority=Priority.HIGH,
    )
    book = RuleBook()
    a = district.school_a.pk
    assert (
        book.judge(school_id=a, event_type="loitering", zone="操场", at=NIGHT)[0] == Priority.HIGH
    )
    assert (
        book.judge(school_id=a, event_type="loitering", zone="操场", at=MORNING)[0]
        == Priority.MEDIUM
    )
    assert (
        book.judge(school_id=district.school_b.pk, event_type="loitering", zone="操场", at=NIGHT)[0]
        == Priority.MEDIUM
    )
    assert book.judge(school_id=a, event_type="panic_button", zone="", at=NIGHT)[0] == Priority.HIGH


def test_bad_rules_are_refused(district, safety_officer):
    for bad in (
        {"event_type": "dancing"},
        {"priority": 9},
        {"starts_at": time(22, 0)},
        {"starts_at": time(8, 0), "ends_at": time(8, 0)},
        {"name": "  "},
    ):
        values = {"name": "r", "event_type": "fight", "priority": Priority.LOW} | bad
        with pytest.raises(RuleError):
            rule_save(actor=safety_officer, rule=None, school=None, **values)


def test_the_rules_page(client, district, officer_a, officer_b):
    login(client, officer_a)
    client.cookies["django_language"] = "en"
    page = client.get("/security/rules/")
    assert page.status_code == 200 and "夜间周界入侵" in page.content.decode()
    created = client.post(
        "/security/rules/",
        {
            "name": "东门聚集",
            "event_type": "crowd_gathering",
            "school": "XB-001",
            "zone": "东门",
            "priority": "4",
            "enabled": "on",
        },
    )
    assert created.status_code == 302
    rule = AlertRule.objects.get(name="东门聚集")
    assert (rule.school, rule.priority) == (district.school_a, Priority.CRITICAL)
    half_window = client.post(
        "/security/rules/",
        {
            "name": "x",
            "event_type": "fight",
            "school": "XB-001",
            "priority": "2",
            "starts_at": "22:00",
        },
    )
    assert half_window.status_code == 400 and "Give both ends" in half_window.content.decode()
    client.logout()
    login(client, officer_b)
    assert client.get(f"/security/rules/{rule.pk}/").status_code == 404
    district_rule = AlertRule.objects.filter(school=None).first()
    refused = client.post(f"/security/rules/{district_rule.pk}/", {"delete": "1"})
    assert refused.status_code == 302 and AlertRule.objects.filter(pk=district_rule.pk).exists()
