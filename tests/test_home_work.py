"""Each role's home lists what that person must act on, with its deadline (#14): the police
liaison the transfers to accept and the feedback owed, the inspector the inspections due and
the evidence to verify, the guard the unacknowledged alerts, the teacher the leads they
reported. Another unit's or person's items never show; the page's queries stay bounded."""

from __future__ import annotations

import importlib
import re
from datetime import timedelta

import pytest
import time_machine
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from conftest import _person, login
from safecampus.inspections.choices import HazardCategory, HazardLevel
from safecampus.inspections.services.hazards import hazard_register
from safecampus.inspections.services.inspections import inspection_create_adhoc
from safecampus.inspections.services.rectification import (
    rectification_issue,
    rectification_submit,
)
from safecampus.inspections.tests.factories import make_checklist
from safecampus.leads.models import LeadCategory
from safecampus.leads.services import lead_accept, lead_report, lead_transfer
from safecampus.leads.services.feedback import lead_transfer_accept
from safecampus.organizations.choices import Role
from safecampus.organizations.tests.factories import AgencyFactory
from safecampus.security.models import Alert
from safecampus.security.services.devices import device_register
from safecampus.security.services.ingest import ingest_events
from safecampus.security.tests.conftest import MORNING, event

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def reference_data(db):
    """Lead categories and alert rules as the data migrations seed them (a transactional
    test elsewhere in the run may have flushed the migrated rows)."""
    importlib.import_module("safecampus.leads.migrations.0002_seed_categories").seed(apps, None)
    importlib.import_module("safecampus.security.migrations.0002_default_rules").seed(apps, None)


def work_section(client, user) -> str:
    """The "Your open work" card of ``user``'s home page, in English, tags stripped."""
    login(client, user)
    client.cookies["django_language"] = "en"
    body = client.get("/").content.decode()
    client.logout()
    start = body.index("Your open work")
    end = body.index("</section>", start)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", body[start:end]))


def local(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")


def _lead(actor, school, description: str):
    return lead_report(
        actor=actor,
        category=LeadCategory.objects.get(code="gang_disruption"),
        description=description,
        school=school,
    )


def test_the_police_liaison_sees_transfers_to_accept_and_feedback_due(
    client, district, safety_officer, police_liaison
):
    other_station = AgencyFactory(code="GA-HH", name="河海派出所", parent=None)
    waiting, answered, elsewhere = (
        _lead(safety_officer, district.school_a, text) for text in ("索要钱财", "围堵学生", "斗殴")
    )
    transfers = {}
    for lead, unit in ((waiting, district.police_station), (answered, district.police_station)):
        lead_accept(actor=safety_officer, lead=lead)
        [transfers[lead.pk]] = lead_transfer(
            actor=safety_officer, lead=lead, to_units=[unit], feedback_days=3
        )
    lead_accept(actor=safety_officer, lead=elsewhere)
    lead_transfer(actor=safety_officer, lead=elsewhere, to_units=[other_station])
    lead_transfer_accept(actor=police_liaison, lead=answered, transfer_id=transfers[answered.pk].pk)

    work = work_section(client, police_liaison)

    for lead, what in ((waiting, "Accept or return the transfer"), (answered, "Feedback due")):
        due = transfers[lead.pk].feedback_deadline.due_at
        assert f"{lead.reference} {what} Due {local(due)}" in work
    assert elsewhere.reference not in work
    assert "索要钱财" not in work  # references only: the home page may be on a shared screen


def test_overdue_feedback_comes_first_and_is_marked(
    client, district, safety_officer, police_liaison
):
    early, late = (_lead(safety_officer, district.school_a, t) for t in ("索要钱财", "围堵学生"))
    with time_machine.travel(timezone.now() - timedelta(days=30)):
        lead_accept(actor=safety_officer, lead=early)
        lead_transfer(actor=safety_officer, lead=early, to_units=[district.police_station])
    lead_accept(actor=safety_officer, lead=late)
    lead_transfer(actor=safety_officer, lead=late, to_units=[district.police_station])

    work = work_section(client, police_liaison)

    assert work.index(early.reference) < work.index(late.reference)
    assert re.search(rf"{early.reference} .*? Overdue .*{late.reference}", work)
    assert not re.search(rf"{late.reference} [^X]*? Overdue", work)


def _submitted_notice(inspector, officer, school, description: str):
    hazard = hazard_register(
        actor=inspector,
        school=school,
        category=HazardCategory.FIRE,
        level=HazardLevel.GENERAL,
        description=description,
    )
    notice = rectification_issue(actor=inspector, hazards=[hazard])
    rectification_submit(
        actor=officer,
        notice=notice,
        measures={hazard.pk: "已清理"},
        evidence=[SimpleUploadedFile("after.txt", b"cleared\n", "text/plain")],
    )
    notice.refresh_from_db()
    return notice


def test_the_inspector_sees_inspections_due_and_evidence_to_verify(
    client, district, inspector, officer_a, officer_b
):
    other = _person("inspector_2", district.bureau, Role.INSPECTOR, full_name="周督学")
    version = make_checklist()
    today = timezone.localdate()
    mine = inspection_create_adhoc(
        actor=inspector, school=district.school_a, version=version, due_on=today + timedelta(days=3)
    )
    theirs = inspection_create_adhoc(
        actor=other, school=district.school_b, version=version, due_on=today + timedelta(days=1)
    )
    to_verify = _submitted_notice(inspector, officer_a, district.school_a, "消防通道堆放杂物")
    not_mine = _submitted_notice(other, officer_b, district.school_b, "灭火器过期")

    work = work_section(client, inspector)

    assert f"新北区实验小学 Inspection due Due {(today + timedelta(days=3)):%Y-%m-%d} 23:59" in work
    assert "新北区河海中学" not in work
    assert f"{to_verify.reference} Evidence to verify Waiting since" in work
    assert local(to_verify.submitted_at) in work
    assert not_mine.reference not in work
    login(client, inspector)
    body = client.get("/").content.decode()
    assert f'href="/inspections/{mine.pk}/"' in body
    assert f'href="/inspections/rectifications/{to_verify.pk}/"' in body
    assert f'href="/inspections/{theirs.pk}/"' not in body


def _alert(school, code: str, kind: str, at) -> Alert:
    device, _secret = device_register(
        actor=None, school=school, kind="panic_button", name="门卫室一键报警", code=code
    )
    result = ingest_events(
        device=device, items=[event(f"{code}-1", kind, at, zone="门卫室")], source="http", now=at
    )
    return Alert.objects.get(pk=next(iter(result.alerts)))


def test_the_guard_sees_unacknowledged_alerts_of_the_school(client, district):
    guard_a = _person("guard_a", district.school_a, Role.GUARD, full_name="孙门卫")
    with time_machine.travel(MORNING, tick=False):
        ours = _alert(district.school_a, "XB-001-SOS1", "panic_button", timezone.now())
        theirs = _alert(district.school_b, "XB-002-SOS1", "panic_button", timezone.now())
        work = work_section(client, guard_a)
    assert f"{ours.reference} Acknowledge: " in work
    assert f"Waiting since {local(ours.first_seen_at)}" in work
    assert theirs.reference not in work


def test_the_teacher_sees_the_leads_they_reported_and_not_a_colleagues(
    client, district, teacher_a, officer_a
):
    theirs = _lead(teacher_a, district.school_a, "放学后有社会人员在校门口徘徊")
    colleague = _lead(officer_a, district.school_a, "校外人员翻墙")
    work = work_section(client, teacher_a)
    due = theirs.deadlines.get(purpose="acknowledge").due_at
    assert f"{theirs.reference} Acknowledge the lead Due {local(due)}" in work
    assert colleague.reference not in work
    assert "徘徊" not in work


def test_an_empty_home_says_so_kindly(client, district, police_liaison):
    assert "Nothing is waiting for you." in work_section(client, police_liaison)


@pytest.mark.parametrize("people", [5, 25])
def test_the_home_page_reads_a_bounded_number_of_queries(
    client,
    district,
    safety_officer,
    police_liaison,
    inspector,
    officer_a,
    people,
    django_assert_max_num_queries,
):
    """Twenty more transfers, inspections and notices cost no more queries than five."""
    version = make_checklist()
    for index in range(people):
        lead = _lead(safety_officer, district.school_a, f"线索{index}")
        lead_accept(actor=safety_officer, lead=lead)
        lead_transfer(actor=safety_officer, lead=lead, to_units=[district.police_station])
        inspection_create_adhoc(actor=inspector, school=district.school_a, version=version)
    _submitted_notice(inspector, officer_a, district.school_a, "灭火器过期")
    for person in (police_liaison, inspector):
        login(client, person)
        with django_assert_max_num_queries(30):
            assert client.get("/").status_code == 200
        client.logout()
