"""Doing an inspection: answers, photos, submitting, scoring, findings → hazards → notice."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine

from safecampus.attachments.selectors import attachment_get
from safecampus.attachments.tests.files import png, upload
from safecampus.audit.models import AuditEvent
from safecampus.cases.models import Deadline
from safecampus.inspections.choices import (
    HazardCategory,
    HazardLevel,
    HazardSource,
    HazardStatus,
    InspectionStatus,
    ItemType,
    Performer,
    VersionStatus,
)
from safecampus.inspections.errors import InspectionConflict, InspectionError, InspectionForbidden
from safecampus.inspections.models import Hazard, Inspection, InspectionAnswer, Rectification
from safecampus.inspections.selectors.inspections import (
    hazard_photos,
    inspection_counts,
    inspection_detail,
    inspection_list,
)
from safecampus.inspections.services.inspections import (
    InspectionIncomplete,
    answer_photo_add,
    answer_photo_delete,
    answer_save,
    inspection_cancel,
    inspection_create_adhoc,
    inspection_start,
    inspection_submit,
)
from safecampus.inspections.tests.factories import make_checklist

SHANGHAI = ZoneInfo("Asia/Shanghai")
#: A Tuesday, 09:30 in China.
TUESDAY = datetime(2026, 3, 10, 9, 30, tzinfo=SHANGHAI)


def make_inspection(version, school, *, performer=Performer.INSPECTOR, inspector=None, **extra):
    return Inspection.objects.create(
        version=version,
        kind=version.template.kind,
        school=school,
        performer=performer,
        inspector=inspector,
        due_on=extra.pop("due_on", date(2026, 3, 12)),
        **extra,
    )


def item(inspection, code):
    return inspection.version.items.get(code=code)


def photo(name="p.png"):
    return upload(name, png(), "image/png")


def answer_all(actor, inspection, **overrides):
    """Every item of the gate checklist answered well, except ``overrides`` (code → kwargs)."""
    good = {
        "G-01": {"result": "pass"},
        "G-02": {"result": "pass"},
        "G-03": {"result": "pass"},
        "G-04": {"number": "12"},
        "G-05": {"score": "8"},
        "G-06": {"text": "夜间巡逻正常"},
    }
    good.update(overrides)
    for code, values in good.items():
        answer_save(actor=actor, inspection=inspection, item=item(inspection, code), **values)


def submitted_audits(inspection):
    return AuditEvent.objects.filter(
        action="inspections.inspection.submitted", object_id=str(inspection.pk)
    ).count()


@pytest.fixture
def visit(gate_checklist, district, inspector):
    return make_inspection(gate_checklist, district.school_a, inspector=inspector)


@time_machine.travel(TUESDAY, tick=False)
def test_a_clean_inspection_is_scored_and_passes(visit, inspector):
    answer_all(inspector, visit)
    done = inspection_submit(actor=inspector, inspection=visit, summary=" 整体良好 ")
    assert done.status == InspectionStatus.SUBMITTED
    assert (done.score, done.max_score, done.score_percent) == (
        Decimal(43),
        Decimal(45),
        Decimal("95.6"),
    )
    assert (done.passed, done.veto_failed, done.findings_count) == (True, False, 0)
    assert done.summary == "整体良好"
    assert done.submitted_by == inspector
    assert done.submitted_at == TUESDAY
    assert Hazard.objects.count() == 0
    assert Rectification.objects.count() == 0
    assert submitted_audits(visit) == 1


@time_machine.travel(TUESDAY, tick=False)
def test_failed_items_become_hazards_under_one_notice(visit, inspector, district):
    for code in ("G-01", "G-02", "G-04"):
        answer_photo_add(
            actor=inspector, inspection=visit, item=item(visit, code), uploaded_file=photo()
        )
    answer_all(
        inspector,
        visit,
        **{
            "G-01": {"result": "fail", "note": "门卫室无人"},
            "G-02": {"result": "fail"},
            "G-04": {"number": "3"},
        },
    )
    done = inspection_submit(actor=inspector, inspection=visit)

    assert (done.score, done.max_score, done.score_percent) == (
        Decimal(18),
        Decimal(45),
        Decimal("40.0"),
    )
    assert (done.passed, done.veto_failed, done.findings_count) == (False, False, 3)
    hazards = list(Hazard.objects.order_by("item__order"))
    assert [(h.item.code, h.level, h.category) for h in hazards] == [
        ("G-01", HazardLevel.SERIOUS, HazardCategory.GATE),
        ("G-02", HazardLevel.GENERAL, HazardCategory.GATE),
        ("G-04", HazardLevel.GENERAL, HazardCategory.GATE),
    ]
    assert hazards[0].description == "G-01 门卫室24小时有人值守\n门卫室无人"
    assert hazards[2].description == "G-04 当日巡逻次数\nValue found: 3"
    assert {h.source for h in hazards} == {HazardSource.INSPECTION}
    assert {h.school_id for h in hazards} == {district.school_a.pk}
    assert {h.found_at for h in hazards} == {TUESDAY}
    assert {h.inspection_id for h in hazards} == {visit.pk}

    notice = Rectification.objects.get()
    assert notice.inspection == visit
    assert notice.unit == district.school_a
    assert {h.rectification_id for h in hazards} == {notice.pk}
    assert {h.status for h in hazards} == {HazardStatus.RECTIFYING}
    # The gravest level is serious: 5 working days from Tuesday 10 March → Tuesday 17 March.
    assert notice.due_at == datetime(2026, 3, 17, 23, 59, 59, 999999, tzinfo=SHANGHAI)
    assert Deadline.objects.filter(object_id=notice.pk).count() == 2


@time_machine.travel(TUESDAY, tick=False)
def test_failed_veto_item_fails_the_inspection_and_is_a_major_hazard(visit, inspector):
    answer_photo_add(
        actor=inspector, inspection=visit, item=item(visit, "G-03"), uploaded_file=photo()
    )
    answer_all(inspector, visit, **{"G-03": {"result": "fail"}})
    done = inspection_submit(actor=inspector, inspection=visit)
    assert (done.score_percent, done.passed, done.veto_failed) == (Decimal("73.3"), False, True)
    hazard = Hazard.objects.get()
    assert (hazard.level, hazard.category) == (HazardLevel.MAJOR, HazardCategory.TECHNICAL)
    notice = Rectification.objects.get()
    # Major: 30 working days (the Qingming holiday, 6 April 2026, is skipped).
    assert notice.due_at == datetime(2026, 4, 22, 23, 59, 59, 999999, tzinfo=SHANGHAI)


@time_machine.travel(TUESDAY, tick=False)
def test_a_self_inspection_leaves_its_hazards_open_without_a_notice(
    gate_checklist, district, officer_a
):
    own = make_inspection(gate_checklist, district.school_a, performer=Performer.SCHOOL)
    answer_photo_add(actor=officer_a, inspection=own, item=item(own, "G-02"), uploaded_file=photo())
    answer_all(officer_a, own, **{"G-02": {"result": "fail"}})
    done = inspection_submit(actor=officer_a, inspection=own)
    assert done.findings_count == 1
    hazard = Hazard.objects.get()
    assert (hazard.status, hazard.rectification, hazard.level) == (
        HazardStatus.OPEN,
        None,
        HazardLevel.GENERAL,
    )
    assert Rectification.objects.count() == 0


@time_machine.travel(TUESDAY, tick=False)
def test_submit_refused_while_required_items_are_missing(visit, inspector):
    answer_save(actor=inspector, inspection=visit, item=item(visit, "G-01"), result="pass")
    before = Inspection.objects.get(pk=visit.pk)
    with pytest.raises(InspectionIncomplete) as refused:
        inspection_submit(actor=inspector, inspection=visit)
    assert [code for code, _text, _what in refused.value.problems] == [
        "G-02",
        "G-03",
        "G-04",
        "G-05",
    ]
    assert "G-02" in str(refused.value.message)
    after = Inspection.objects.get(pk=visit.pk)
    assert (after.status, after.score, after.lock_version) == (
        InspectionStatus.DRAFT,
        None,
        before.lock_version,
    )
    assert Hazard.objects.count() == 0
    assert submitted_audits(visit) == 0


@time_machine.travel(TUESDAY, tick=False)
def test_submit_refused_when_a_failed_item_has_no_photo(visit, inspector):
    answer_all(inspector, visit, **{"G-01": {"result": "fail"}})
    with pytest.raises(InspectionIncomplete) as refused:
        inspection_submit(actor=inspector, inspection=visit)
    assert [(c, w) for c, _t, w in refused.value.problems] == [
        ("G-01", "a photo of the failure is required")
    ]
    assert Inspection.objects.get(pk=visit.pk).status == InspectionStatus.DRAFT
    assert (Hazard.objects.count(), Rectification.objects.count()) == (0, 0)
    assert submitted_audits(visit) == 0


@time_machine.travel(TUESDAY, tick=False)
def test_a_photo_item_needs_a_photo(district, officer_a):
    version = make_checklist(
        code="photo-only",
        items=[("P-01", "消防通道畅通（拍照）", ItemType.PHOTO, "5", "", "", False)],
    )
    own = make_inspection(version, district.school_a, performer=Performer.SCHOOL)
    answer_save(actor=officer_a, inspection=own, item=item(own, "P-01"), result="pass")
    with pytest.raises(InspectionIncomplete) as refused:
        inspection_submit(actor=officer_a, inspection=own)
    assert [(c, w) for c, _t, w in refused.value.problems] == [("P-01", "a photo is required")]
    answer_photo_add(actor=officer_a, inspection=own, item=item(own, "P-01"), uploaded_file=photo())
    assert inspection_submit(actor=officer_a, inspection=own).score_percent == Decimal("100.0")


@time_machine.travel(TUESDAY, tick=False)
def test_answers_and_a_second_submit_are_refused_after_submitting(visit, inspector):
    answer_all(inspector, visit)
    inspection_submit(actor=inspector, inspection=visit)
    with pytest.raises(InspectionConflict):
        answer_save(actor=inspector, inspection=visit, item=item(visit, "G-01"), result="fail")
    with pytest.raises(InspectionConflict):
        inspection_submit(actor=inspector, inspection=visit)
    with pytest.raises(InspectionConflict):
        answer_photo_add(
            actor=inspector, inspection=visit, item=item(visit, "G-01"), uploaded_file=photo()
        )
    assert InspectionAnswer.objects.get(inspection=visit, item__code="G-01").result == "pass"
    assert submitted_audits(visit) == 1


@time_machine.travel(TUESDAY, tick=False)
def test_saving_the_same_answer_twice_changes_nothing_the_second_time(visit, inspector):
    g01 = item(visit, "G-01")
    answer_save(actor=inspector, inspection=visit, item=g01, result="fail", note="无人")
    version = Inspection.objects.get(pk=visit.pk).lock_version
    answer_save(actor=inspector, inspection=visit, item=g01, result="fail", note="无人")
    assert Inspection.objects.get(pk=visit.pk).lock_version == version
    assert InspectionAnswer.objects.filter(inspection=visit).count() == 1
    assert version == 2  # started (1) and answered (2)
    answer_save(actor=inspector, inspection=visit, item=g01, note="有人")
    saved = InspectionAnswer.objects.get(inspection=visit)
    assert (saved.result, saved.note) == ("fail", "有人")


def test_the_first_answer_starts_a_due_inspection(visit, inspector):
    answer_save(actor=inspector, inspection=visit, item=item(visit, "G-04"), number="7")
    visit.refresh_from_db()
    assert visit.status == InspectionStatus.DRAFT
    assert visit.started_at is not None


@pytest.mark.parametrize(
    ("code", "values", "error_code"),
    [
        ("G-05", {"score": "11"}, "bad_score"),
        ("G-05", {"score": "-1"}, "bad_score"),
        ("G-04", {"number": "十二"}, "bad_number"),
        ("G-04", {"result": "pass"}, "bad_result"),
        ("G-01", {"result": "maybe"}, "bad_result"),
        ("G-01", {"number": "3"}, "bad_number"),
        ("G-01", {"text": "好"}, "bad_text"),
        ("G-06", {"result": "na"}, "bad_result"),
    ],
)
def test_values_are_checked_against_the_item_type(visit, inspector, code, values, error_code):
    with pytest.raises(InspectionError) as refused:
        answer_save(actor=inspector, inspection=visit, item=item(visit, code), **values)
    assert refused.value.code == error_code
    assert InspectionAnswer.objects.count() == 0


def test_not_applicable_clears_a_number(visit, inspector):
    g04 = item(visit, "G-04")
    answer_save(actor=inspector, inspection=visit, item=g04, number="3")
    answer_save(actor=inspector, inspection=visit, item=g04, result="na")
    saved = InspectionAnswer.objects.get(inspection=visit)
    assert (saved.result, saved.number) == ("na", None)
    answer_save(actor=inspector, inspection=visit, item=g04, number="8")
    saved.refresh_from_db()
    assert (saved.result, saved.number) == ("", Decimal("8.00"))


def test_an_item_of_another_checklist_is_refused(visit, inspector):
    other = make_checklist(code="other")
    with pytest.raises(InspectionError):
        answer_save(actor=inspector, inspection=visit, item=other.items.first(), result="pass")


def test_only_the_performer_may_answer(visit, officer_b, officer_a, safety_officer):
    for outsider in (officer_b, officer_a, safety_officer):
        with pytest.raises(InspectionForbidden):
            answer_save(actor=outsider, inspection=visit, item=item(visit, "G-01"), result="pass")
    assert InspectionAnswer.objects.count() == 0


def test_any_bureau_inspector_performs_an_inspection_with_no_inspector_named(
    gate_checklist, district, safety_officer, officer_a
):
    open_visit = make_inspection(gate_checklist, district.school_a, inspector=None)
    answer_save(
        actor=safety_officer, inspection=open_visit, item=item(open_visit, "G-01"), result="pass"
    )
    with pytest.raises(InspectionForbidden):
        inspection_start(actor=officer_a, inspection=open_visit)


def test_a_school_cannot_answer_another_schools_self_inspection(
    gate_checklist, district, officer_b
):
    own = make_inspection(gate_checklist, district.school_a, performer=Performer.SCHOOL)
    with pytest.raises(InspectionForbidden):
        answer_save(actor=officer_b, inspection=own, item=item(own, "G-01"), result="pass")


def test_guards_do_guard_checks_only(gate_checklist, district):
    from conftest import _person
    from safecampus.organizations.choices import Role

    guard = _person("guard_a", district.school_a, Role.GUARD)
    check = make_inspection(gate_checklist, district.school_a, performer=Performer.GUARD)
    answer_save(actor=guard, inspection=check, item=item(check, "G-01"), result="pass")
    own = make_inspection(gate_checklist, district.school_a, performer=Performer.SCHOOL)
    with pytest.raises(InspectionForbidden):
        answer_save(actor=guard, inspection=own, item=item(own, "G-01"), result="pass")


@time_machine.travel(TUESDAY, tick=False)
def test_adhoc_inspections(gate_checklist, district, inspector, officer_a, teacher_a):
    visit = inspection_create_adhoc(
        actor=inspector, school=district.school_b, version=gate_checklist
    )
    assert (visit.status, visit.inspector, visit.due_on, visit.kind) == (
        InspectionStatus.DUE,
        inspector,
        date(2026, 3, 10),
        gate_checklist.template.kind,
    )
    own = inspection_create_adhoc(
        actor=officer_a,
        school=district.school_a,
        version=gate_checklist,
        performer=Performer.SCHOOL,
    )
    assert (own.performer, own.inspector) == (Performer.SCHOOL, None)
    with pytest.raises(InspectionForbidden):
        inspection_create_adhoc(
            actor=officer_a,
            school=district.school_b,
            version=gate_checklist,
            performer=Performer.SCHOOL,
        )
    with pytest.raises(InspectionForbidden):
        inspection_create_adhoc(actor=officer_a, school=district.school_a, version=gate_checklist)
    with pytest.raises(InspectionForbidden):
        inspection_create_adhoc(
            actor=teacher_a,
            school=district.school_a,
            version=gate_checklist,
            performer=Performer.SCHOOL,
        )
    draft = make_checklist(code="draft", status=VersionStatus.DRAFT)
    with pytest.raises(InspectionError) as refused:
        inspection_create_adhoc(actor=inspector, school=district.school_a, version=draft)
    assert refused.value.code == "not_published"
    with pytest.raises(InspectionError):
        inspection_create_adhoc(
            actor=inspector,
            school=district.school_a,
            version=gate_checklist,
            due_on=date(2026, 3, 9),
        )
    assert Inspection.objects.count() == 2


def test_cancel_needs_the_safety_officer_and_a_reason(visit, safety_officer, inspector):
    with pytest.raises(InspectionForbidden):
        inspection_cancel(actor=inspector, inspection=visit, reason="重复")
    with pytest.raises(InspectionError):
        inspection_cancel(actor=safety_officer, inspection=visit, reason="  ")
    done = inspection_cancel(actor=safety_officer, inspection=visit, reason="学校停课")
    assert (done.status, done.summary) == (InspectionStatus.CANCELLED, "学校停课")
    with pytest.raises(InspectionConflict):
        inspection_cancel(actor=safety_officer, inspection=visit, reason="again")


def test_answer_photos_are_seen_exactly_where_the_inspection_is(
    visit, inspector, officer_a, officer_b
):
    g01 = item(visit, "G-01")
    attachment = answer_photo_add(
        actor=inspector, inspection=visit, item=g01, uploaded_file=photo()
    )
    assert attachment.unit_id == visit.school_id
    assert attachment_get(user=officer_a, pk=attachment.pk) == attachment
    assert attachment_get(user=officer_b, pk=attachment.pk) is None
    answer_photo_delete(actor=inspector, inspection=visit, attachment_id=attachment.pk)
    assert attachment_get(user=officer_a, pk=attachment.pk) is None


@time_machine.travel(TUESDAY, tick=False)
def test_hazard_photos_include_the_answers_photo(visit, inspector):
    attachment = answer_photo_add(
        actor=inspector, inspection=visit, item=item(visit, "G-02"), uploaded_file=photo()
    )
    answer_all(inspector, visit, **{"G-02": {"result": "fail"}})
    inspection_submit(actor=inspector, inspection=visit)
    assert hazard_photos(Hazard.objects.get()) == [attachment]


@time_machine.travel(TUESDAY, tick=False)
def test_list_filters_and_counts(gate_checklist, district, inspector, officer_b, safety_officer):
    late = make_inspection(gate_checklist, district.school_a, due_on=date(2026, 3, 9))
    today = make_inspection(gate_checklist, district.school_a, due_on=date(2026, 3, 10))
    other = make_inspection(gate_checklist, district.school_b, due_on=date(2026, 3, 1))
    assert list(inspection_list(user=safety_officer, overdue=True)) == [other, late]
    assert list(inspection_list(user=safety_officer, school=district.school_a)) == [late, today]
    assert list(inspection_list(user=officer_b)) == [other]
    assert list(inspection_list(user=safety_officer, year=2025)) == []
    counts = inspection_counts(user=safety_officer)
    assert (counts.due_today, counts.overdue, counts.in_progress, counts.submitted_this_month) == (
        1,
        2,
        0,
        0,
    )
    assert inspection_counts(user=officer_b).overdue == 1


def test_detail_loads_in_a_fixed_number_of_queries(visit, inspector, django_assert_num_queries):
    for code in ("G-01", "G-02"):
        answer_photo_add(
            actor=inspector, inspection=visit, item=item(visit, code), uploaded_file=photo()
        )
    answer_all(inspector, visit)
    _scope = inspector.scope  # computed once per request, outside the counted block
    with django_assert_num_queries(6):
        detail = inspection_detail(user=inspector, inspection_id=visit.pk)
        rows = [(r.item.code, len(r.photos), r.answered) for r in detail.rows]
    assert rows[:2] == [("G-01", 1, True), ("G-02", 1, True)]
    assert (detail.answered, detail.total) == (6, 6)


def test_detail_of_another_school_is_none(visit, officer_b):
    assert inspection_detail(user=officer_b, inspection_id=visit.pk) is None
