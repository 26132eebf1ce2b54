"""The bureau edits district rules, a school its own; the rule book applies what they set.
Rule names are shown in the reader's language (issue #14)."""

from __future__ import annotations

import importlib
import re
from datetime import time

import pytest
from django.apps import apps
from django.utils import translation

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
    assert page.status_code == 200 and "Perimeter intrusion at night" in page.content.decode()
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


# --- names in the reader's language (issue #14) -------------------------------------------

seed_module = importlib.import_module("safecampus.security.migrations.0002_default_rules")


def test_every_default_rule_has_its_english():
    defaults = AlertRule.objects.filter(school=None)
    assert defaults.count() == len(seed_module.DEFAULTS) == len(seed_module.ENGLISH) == 8
    for rule in defaults:
        assert rule.name_en and not re.search(r"[\u3400-\u9fff]", rule.name_en), rule.name
    with translation.override("en"):
        assert str(defaults.get(event_type="panic_button")) == "One-key alarm"
    with translation.override("zh-hans"):
        assert str(defaults.get(event_type="panic_button")) == "一键报警"


def test_the_data_migration_fills_only_empty_english_of_shipped_names():
    AlertRule.objects.update(name_en="")
    AlertRule.objects.filter(name="打架斗殴").update(name="打架", name_en="")
    AlertRule.objects.filter(name="一键报警").update(name_en="Panic button")
    seed_module.fill_english(apps, None)
    names = dict(AlertRule.objects.values_list("name", "name_en"))
    assert (names["打架"], names["一键报警"]) == ("", "Panic button")
    assert names["夜间越线"] == "Line crossing at night"


def test_the_rules_page_names_rules_in_the_readers_language(client, safety_officer):
    login(client, safety_officer)
    chinese = client.get("/security/rules/").content.decode()
    assert "夜间周界入侵" in chinese and "Perimeter intrusion at night" not in chinese
    client.cookies["django_language"] = "en"
    english = client.get("/security/rules/").content.decode()
    shipped = list(seed_module.ENGLISH)
    assert [name for name in shipped if name in english] == []
    assert all(name in english for name in seed_module.ENGLISH.values())
    rule = AlertRule.objects.get(name="一键报警")
    edit = client.get(f"/security/rules/{rule.pk}/").content.decode()
    assert '<h1 class="h3 mb-1">One-key alarm</h1>' in edit


def test_the_rule_form_saves_the_english_name(client, district, safety_officer):
    login(client, safety_officer)
    client.cookies["django_language"] = "en"
    rule = AlertRule.objects.get(name="打架斗殴")
    form = {"name": "打架斗殴", "event_type": "fight", "priority": "4", "enabled": "on"}
    saved = client.post(f"/security/rules/{rule.pk}/", {**form, "name_en": " Fighting "})
    assert saved.status_code == 302
    rule.refresh_from_db()
    assert (rule.name, rule.name_en, rule.priority) == ("打架斗殴", "Fighting", Priority.CRITICAL)
    rule_save(
        actor=safety_officer,
        rule=rule,
        school=None,
        name="打架斗殴",
        event_type="fight",
        priority=Priority.HIGH,
    )
    rule.refresh_from_db()
    assert (rule.name_en, rule.priority) == ("Fighting", Priority.HIGH)
    created = rule_save(
        actor=safety_officer,
        rule=None,
        school=None,
        name="跌倒",
        event_type="fall",
        priority=Priority.LOW,
    )
    assert created.name_en == ""
    with translation.override("en"):
        assert str(created) == "跌倒"
