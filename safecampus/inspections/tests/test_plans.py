"""Inspection plans: validation, generation per frequency with exact due dates, idempotency,
school filters, working days, deactivation, the daily task and the plan pages."""

from __future__ import annotations

from datetime import date

import pytest
import time_machine

from conftest import login
from safecampus.inspections.choices import (
    Frequency,
    InspectionStatus,
    Performer,
    TemplateKind,
    VersionStatus,
)
from safecampus.inspections.errors import InspectionError, InspectionForbidden
from safecampus.inspections.models import ChecklistTemplate, Inspection, InspectionPlan
from safecampus.inspections.services import plans as svc
from safecampus.inspections.tasks import plans_generate_due_task
from safecampus.inspections.tests.factories import make_checklist
from safecampus.organizations.tests.factories import SchoolFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def monthly(safety_officer, gate_checklist):
    return svc.plan_create(
        actor=safety_officer,
        name="学校月度自查",
        template=gate_checklist.template,
        performer=Performer.SCHOOL,
        frequency=Frequency.MONTHLY,
        starts_on=date(2026, 9, 10),
    )


def _plan(actor, template, **fields):
    defaults = {
        "name": "计划",
        "performer": Performer.SCHOOL,
        "frequency": Frequency.MONTHLY,
        "starts_on": date(2026, 1, 1),
    }
    return svc.plan_create(actor=actor, template=template, **{**defaults, **fields})


def _rows(plan):
    return sorted(
        Inspection.objects.filter(plan=plan).values_list(
            "school__code", "period", "sequence", "due_on"
        )
    )


# --- periods --------------------------------------------------------------------------


def test_periods_and_keys():
    assert svc.period_of(Frequency.WEEKLY, date(2027, 1, 1)).key == "2026-W53"
    assert svc.period_of(Frequency.SEMESTER, date(2027, 1, 31)).key == "2026-2027-1"
    assert svc.period_of(Frequency.SEMESTER, date(2027, 2, 1)).key == "2026-2027-2"
    spring = svc.period_of(Frequency.SEMESTER, date(2027, 8, 31))
    assert (spring.start, spring.end) == (date(2027, 2, 1), date(2027, 8, 31))
    december = svc.period_of(Frequency.MONTHLY, date(2026, 12, 5))
    assert (december.key, december.end) == ("2026-12", date(2026, 12, 31))


# --- generation -----------------------------------------------------------------------


def test_monthly_due_on_last_day_and_idempotent(monthly, district):
    today = date(2026, 9, 15)
    until = svc.generation_horizon(Frequency.MONTHLY, today)
    assert until == date(2026, 9, 30)
    assert svc.plan_generate(plan=monthly, until=until, today=today) == 2
    assert svc.plan_generate(plan=monthly, until=until, today=today) == 0
    assert _rows(monthly) == [
        ("XB-001", "2026-09", 1, date(2026, 9, 30)),
        ("XB-002", "2026-09", 1, date(2026, 9, 30)),
    ]
    inspection = Inspection.objects.filter(plan=monthly).first()
    assert inspection.status == InspectionStatus.DUE
    assert inspection.version == monthly.template.versions.get(status=VersionStatus.PUBLISHED)
    assert (inspection.kind, inspection.performer, inspection.inspector) == (
        TemplateKind.SUPERVISION,
        Performer.SCHOOL,
        None,
    )


def test_monthly_through_a_later_date_covers_every_month(monthly):
    created = svc.plan_generate(plan=monthly, until=date(2026, 11, 1), today=date(2026, 9, 1))
    assert created == 6
    assert sorted({(p, d) for _s, p, _q, d in _rows(monthly)}) == [
        ("2026-09", date(2026, 9, 30)),
        ("2026-10", date(2026, 10, 31)),
        ("2026-11", date(2026, 11, 30)),
    ]


def test_weekly_due_friday(safety_officer, gate_checklist, district):
    plan = _plan(
        safety_officer,
        gate_checklist.template,
        frequency=Frequency.WEEKLY,
        schools=[district.school_a],
    )
    today = date(2026, 9, 16)
    svc.plan_generate(plan=plan, until=svc.generation_horizon(plan.frequency, today), today=today)
    assert _rows(plan) == [
        ("XB-001", "2026-W38", 1, date(2026, 9, 18)),
        ("XB-001", "2026-W39", 1, date(2026, 9, 25)),
    ]


def test_semester_visits_spread_evenly_with_the_inspector(
    safety_officer, inspector, gate_checklist, district
):
    plan = _plan(
        safety_officer,
        gate_checklist.template,
        performer=Performer.INSPECTOR,
        inspector=inspector,
        frequency=Frequency.SEMESTER,
        times_per_period=2,
        schools=[district.school_b],
    )
    autumn = date(2026, 10, 10)
    svc.plan_generate(plan=plan, until=svc.generation_horizon(plan.frequency, autumn), today=autumn)
    spring = date(2027, 3, 1)
    svc.plan_generate(plan=plan, until=svc.generation_horizon(plan.frequency, spring), today=spring)
    assert _rows(plan) == [
        ("XB-002", "2026-2027-1", 1, date(2026, 11, 15)),
        ("XB-002", "2026-2027-1", 2, date(2027, 1, 31)),
        ("XB-002", "2026-2027-2", 1, date(2027, 5, 17)),
        ("XB-002", "2026-2027-2", 2, date(2027, 8, 31)),
    ]
    assert set(Inspection.objects.filter(plan=plan).values_list("inspector", flat=True)) == {
        inspector.pk
    }
    assert svc.plan_warnings(plan) == []


def test_yearly_due_31_december(safety_officer, gate_checklist, district):
    plan = _plan(
        safety_officer,
        gate_checklist.template,
        frequency=Frequency.YEARLY,
        schools=[district.school_a],
    )
    today = date(2026, 4, 2)
    svc.plan_generate(plan=plan, until=svc.generation_horizon(plan.frequency, today), today=today)
    assert _rows(plan) == [("XB-001", "2026", 1, date(2026, 12, 31))]


def test_school_kinds_filter_and_inactive_schools(safety_officer, gate_checklist, district):
    closed = SchoolFactory(unit__code="XB-099", school_kind="junior").unit
    closed.is_active = False
    closed.save()
    plan = _plan(safety_officer, gate_checklist.template, school_kinds=["junior"])
    svc.plan_generate(plan=plan, until=date(2026, 1, 31), today=date(2026, 1, 5))
    assert _rows(plan) == [("XB-002", "2026-01", 1, date(2026, 1, 31))]


def test_daily_skips_non_working_days(safety_officer, gate_checklist, district):
    plan = _plan(
        safety_officer,
        gate_checklist.template,
        performer=Performer.GUARD,
        frequency=Frequency.DAILY,
        starts_on=date(2025, 9, 26),
        schools=[district.school_a],
    )
    # National Day 2025: 1–8 October off; Sunday 28 September and Saturday 11 October work.
    svc.plan_generate(plan=plan, until=date(2025, 10, 12), today=date(2025, 9, 26))
    assert [due for _s, _p, _q, due in _rows(plan)] == [
        date(2025, 9, 26),
        date(2025, 9, 28),
        date(2025, 9, 29),
        date(2025, 9, 30),
        date(2025, 10, 9),
        date(2025, 10, 10),
        date(2025, 10, 11),
    ]
    assert _rows(plan)[0][1] == "2025-09-26"


def test_plan_dates_bound_generation(safety_officer, gate_checklist, district):
    plan = _plan(
        safety_officer,
        gate_checklist.template,
        starts_on=date(2026, 3, 1),
        ends_on=date(2026, 4, 30),
        schools=[district.school_a],
    )
    svc.plan_generate(plan=plan, until=date(2026, 12, 31), today=date(2026, 1, 10))
    assert [p for _s, p, _q, _d in _rows(plan)] == ["2026-03", "2026-04"]


def test_generation_is_set_based(safety_officer, gate_checklist, django_assert_max_num_queries):
    for number in range(40):
        SchoolFactory(unit__code=f"XB-{100 + number}")
    plan = _plan(safety_officer, gate_checklist.template)
    with django_assert_max_num_queries(8):
        created = svc.plan_generate(plan=plan, until=date(2026, 3, 31), today=date(2026, 1, 5))
    assert created == 42 * 3


def test_new_version_is_used_for_new_inspections(safety_officer, monthly):
    from safecampus.inspections.services import templates

    svc.plan_generate(plan=monthly, until=date(2026, 9, 30), today=date(2026, 9, 15))
    draft = templates.version_draft(actor=safety_officer, template=monthly.template)
    templates.version_publish(actor=safety_officer, version=draft)
    svc.plan_generate(plan=monthly, until=date(2026, 10, 31), today=date(2026, 10, 1))
    numbers = dict(Inspection.objects.filter(plan=monthly).values_list("period", "version__number"))
    assert numbers == {"2026-09": 1, "2026-10": 2}


# --- validation -----------------------------------------------------------------------


def test_no_plan_without_a_published_version(safety_officer):
    draft_only = make_checklist(code="draft-only", status=VersionStatus.DRAFT)
    with pytest.raises(InspectionError) as refused:
        _plan(safety_officer, draft_only.template)
    assert refused.value.code == "no_published_version"
    assert InspectionPlan.objects.count() == 0


def test_inspector_plan_needs_an_inspector(safety_officer, officer_a, gate_checklist):
    for person in (None, officer_a):
        with pytest.raises(InspectionError) as refused:
            _plan(
                safety_officer,
                gate_checklist.template,
                performer=Performer.INSPECTOR,
                inspector=person,
            )
        assert refused.value.code == "inspector_required"
    assert InspectionPlan.objects.count() == 0


def test_other_refusals(safety_officer, officer_a, gate_checklist):
    template = gate_checklist.template
    cases = [
        ({"times_per_period": 0}, "bad_times"),
        ({"ends_on": date(2025, 1, 1)}, "bad_dates"),
        ({"school_kinds": ["castle"]}, "bad_school_kinds"),
        ({"frequency": "hourly"}, "bad_frequency"),
        ({"name": " "}, "name"),
    ]
    for fields, code in cases:
        with pytest.raises(InspectionError) as refused:
            _plan(safety_officer, template, **fields)
        assert refused.value.code == code
    with pytest.raises(InspectionForbidden):
        _plan(officer_a, template)
    assert InspectionPlan.objects.count() == 0


def test_warns_when_an_inspector_visits_too_rarely(safety_officer, inspector, gate_checklist):
    plan = _plan(
        safety_officer,
        gate_checklist.template,
        performer=Performer.INSPECTOR,
        inspector=inspector,
        frequency=Frequency.SEMESTER,
        times_per_period=1,
    )
    assert len(svc.plan_warnings(plan)) == 1
    svc.plan_update(actor=safety_officer, plan=plan, times_per_period=2)
    assert svc.plan_warnings(plan) == []


# --- deactivation and the daily task --------------------------------------------------


def test_deactivating_cancels_future_due_inspections(safety_officer, gate_checklist, district):
    plan = _plan(
        safety_officer,
        gate_checklist.template,
        frequency=Frequency.WEEKLY,
        starts_on=date(2026, 9, 1),
        schools=[district.school_a],
    )
    svc.plan_generate(plan=plan, until=date(2026, 9, 30), today=date(2026, 9, 1))
    started = Inspection.objects.get(plan=plan, period="2026-W39")
    started.status = InspectionStatus.DRAFT
    started.save()
    cancelled = svc.plan_set_active(
        actor=safety_officer, plan=plan, active=False, today=date(2026, 9, 18)
    )
    assert cancelled == 2
    statuses = dict(Inspection.objects.filter(plan=plan).values_list("due_on", "status"))
    assert statuses == {
        date(2026, 9, 4): InspectionStatus.DUE,
        date(2026, 9, 11): InspectionStatus.DUE,
        date(2026, 9, 18): InspectionStatus.CANCELLED,
        date(2026, 9, 25): InspectionStatus.DRAFT,
        date(2026, 10, 2): InspectionStatus.CANCELLED,
    }
    assert svc.plans_generate_due(today=date(2026, 9, 18)) == 0


def test_plans_generate_due_runs_every_active_plan(safety_officer, gate_checklist, monthly):
    other = make_checklist(code="bus-test", kind=TemplateKind.SCHOOL_BUS)
    _plan(safety_officer, other.template, frequency=Frequency.YEARLY)
    ChecklistTemplate.objects.filter(pk=other.template_id).update(is_active=False)
    assert svc.plans_generate_due(today=date(2026, 9, 20)) == 2
    assert svc.plans_generate_due(today=date(2026, 9, 21)) == 0


def test_periodic_task_calls_the_service(monthly):
    with time_machine.travel(date(2026, 9, 20), tick=False):
        assert plans_generate_due_task.call_local() == 2


# --- pages ----------------------------------------------------------------------------


def test_plan_pages_for_the_bureau(client, safety_officer, bureau_leader, monthly):
    # Real time, not a trip in time: a signed-in session follows the real clock (its idle
    # limit would end it on the way back).
    svc.plan_generate(plan=monthly, until=date(2026, 10, 31), today=date(2026, 9, 1))
    Inspection.objects.filter(plan=monthly, period="2026-09").update(due_on=date(2020, 1, 1))
    Inspection.objects.filter(plan=monthly, period="2026-10").update(due_on=date(2099, 1, 1))
    login(client, safety_officer)
    page = client.get("/inspections/plans/")
    assert page.status_code == 200
    assert [(plan.name, counts) for plan, counts, _w, _k in page.context["rows"]] == [
        ("学校月度自查", {"due": 2, "overdue": 2, "done": 0})
    ]
    assert client.get("/inspections/plans/new/").status_code == 200
    assert client.get(f"/inspections/plans/{monthly.pk}/edit/").status_code == 200
    client.logout()
    login(client, bureau_leader)
    page = client.get("/inspections/plans/")
    assert page.status_code == 200
    assert "学校月度自查" in page.content.decode()
    assert client.get("/inspections/plans/new/").status_code == 403


def test_school_officer_is_refused_plan_pages(client, officer_a, monthly):
    login(client, officer_a)
    for url in (
        "/inspections/plans/",
        "/inspections/plans/new/",
        f"/inspections/plans/{monthly.pk}/edit/",
    ):
        assert client.get(url).status_code == 403
    assert client.post(f"/inspections/plans/{monthly.pk}/generate/").status_code == 403
    assert not Inspection.objects.exists()


def test_create_generate_and_stop_through_the_pages(
    client, safety_officer, inspector, gate_checklist, district
):
    login(client, safety_officer)
    client.cookies["django_language"] = "en"
    form = {
        "name": "责任督学学期督导",
        "template": gate_checklist.template_id,
        "performer": Performer.INSPECTOR,
        "frequency": Frequency.SEMESTER,
        "times_per_period": "1",
        "starts_on": "2026-09-01",
    }
    missing = client.post("/inspections/plans/new/", form)
    assert missing.status_code == 400
    assert "An inspector&#x27;s plan needs a person who holds the inspector role." in (
        missing.content.decode()
    )
    assert not InspectionPlan.objects.exists()

    response = client.post(
        "/inspections/plans/new/", {**form, "inspector": inspector.pk}, follow=True
    )
    plan = InspectionPlan.objects.get()
    assert response.status_code == 200
    assert "at least 2 times a semester" in response.content.decode()

    generated = client.post(f"/inspections/plans/{plan.pk}/generate/", follow=True)
    count = Inspection.objects.filter(plan=plan).count()
    assert count == 2
    assert f"{count} due inspections were created" in generated.content.decode()

    edit = client.post(
        f"/inspections/plans/{plan.pk}/edit/",
        {**form, "inspector": inspector.pk, "times_per_period": "2", "name": "督导"},
    )
    assert edit.status_code == 302
    plan.refresh_from_db()
    assert (plan.name, plan.times_per_period) == ("督导", 2)

    client.post(f"/inspections/plans/{plan.pk}/active/", {"active": "0"})
    plan.refresh_from_db()
    assert plan.is_active is False
