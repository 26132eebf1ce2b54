"""The rectification loop (整改) at service level: issue, submit, verify, return, cancel;
deadlines by level in working days; escalation of an overdue notice, once to each side."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile

from safecampus.attachments.models import Attachment
from safecampus.cases.choices import CaseEventKind
from safecampus.cases.models import CaseEvent, Deadline
from safecampus.cases.services import deadline_sweep
from safecampus.core.errors import DomainError
from safecampus.core.rules import rule
from safecampus.inspections.choices import (
    HazardCategory,
    HazardLevel,
    HazardStatus,
    RectificationStatus,
)
from safecampus.inspections.models import Hazard, Rectification
from safecampus.inspections.services.hazards import hazard_register, hazard_set_interim, hazard_void
from safecampus.inspections.services.rectification import (
    RECTIFY_BUREAU_PURPOSE,
    rectification_cancel,
    rectification_issue,
    rectification_return,
    rectification_submit,
    rectification_verify,
)
from safecampus.notifications.models import Notification

TZ = ZoneInfo("Asia/Shanghai")
TUESDAY = datetime(2026, 3, 10, 9, 30, tzinfo=TZ)


def evidence(name: str = "after.txt") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, b"Fire exit cleared, photo taken.\n", "text/plain")


def hazard(actor, school, level=HazardLevel.GENERAL, description="消防通道堆放杂物", **extra):
    return hazard_register(
        actor=actor,
        school=school,
        category=HazardCategory.FIRE,
        level=level,
        description=description,
        place="教学楼一楼",
        **extra,
    )


def refused(code: str, call, *args, **kwargs) -> DomainError:
    with pytest.raises(DomainError) as info:
        call(*args, **kwargs)
    assert info.value.code == code, info.value.message
    return info.value


def stored_files(settings) -> list:
    root = settings.MEDIA_ROOT
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


@pytest.mark.django_db
def test_the_whole_loop(district, inspector, officer_a, principal_a, settings):
    with time_machine.travel(TUESDAY, tick=False):
        major = hazard(inspector, district.school_a, HazardLevel.MAJOR, "配电房门锁损坏")
        general = hazard(inspector, district.school_a)
        notice = rectification_issue(actor=inspector, hazards=[major, general])
    assert notice.status == RectificationStatus.ISSUED
    assert notice.verifier_unit == district.bureau
    # 30 working days; the Qingming holiday (4–6 April) does not count.
    assert notice.due_at == datetime(2026, 4, 22, 23, 59, 59, 999999, tzinfo=TZ)
    measures = {major.pk: "更换门锁，设置警示标识", general.pk: "清理杂物"}

    with time_machine.travel(datetime(2026, 3, 16, 10, 0, tzinfo=TZ), tick=False):
        refused(
            "evidence_required",
            rectification_submit,
            actor=officer_a,
            notice=notice,
            measures=measures,
            evidence={major.pk: [evidence()]},
        )
        refused(
            "measures_required",
            rectification_submit,
            actor=officer_a,
            notice=notice,
            measures={major.pk: "更换门锁"},
            evidence=[evidence()],
        )
        refused(
            "interim_required",
            rectification_submit,
            actor=officer_a,
            notice=notice,
            measures=measures,
            evidence=[evidence()],
        )
        # Nothing of the refused submissions is left: no row, no file, no status change.
        assert Attachment.objects.count() == 0
        assert stored_files(settings) == []
        notice.refresh_from_db()
        assert notice.status == RectificationStatus.ISSUED
        assert notice.submitted_at is None
        assert set(Hazard.objects.values_list("status", flat=True)) == {HazardStatus.RECTIFYING}

        hazard_set_interim(
            actor=principal_a, hazard=major, measure="设置警戒线", responsible="张校长"
        )
        rectification_submit(
            actor=officer_a,
            notice=notice,
            measures=measures,
            overall="已全部整改",
            evidence={major.pk: [evidence("lock.txt")], general.pk: [evidence()]},
        )
    notice.refresh_from_db()
    assert notice.status == RectificationStatus.SUBMITTED
    assert notice.submitted_by == officer_a
    assert notice.measures == "已全部整改"
    assert Attachment.objects.count() == 2
    major.refresh_from_db()
    assert (major.status, major.measures) == (HazardStatus.VERIFYING, "更换门锁，设置警示标识")
    assert (
        Notification.objects.filter(
            recipient=inspector, verb="inspections.rectification.submitted"
        ).count()
        == 1
    )

    # The submitter may not verify; a principal of the school may not verify a bureau notice.
    refused("own_work", rectification_verify, actor=officer_a, notice=notice)
    refused("forbidden", rectification_verify, actor=principal_a, notice=notice)
    refused("reason_required", rectification_return, actor=inspector, notice=notice, reason=" ")

    with time_machine.travel(datetime(2026, 3, 17, 9, 0, tzinfo=TZ), tick=False):
        rectification_return(actor=inspector, notice=notice, reason="门锁照片不清晰")
    notice.refresh_from_db()
    assert (notice.status, notice.returns) == (RectificationStatus.RETURNED, 1)
    assert set(Hazard.objects.values_list("status", flat=True)) == {HazardStatus.RECTIFYING}
    # The first due time still lies ahead: the resubmission is owed by then, to both sides.
    open_deadlines = Deadline.objects.for_case(notice).open()
    assert sorted(open_deadlines.values_list("purpose", "due_at")) == [
        ("rectify", notice.due_at),
        (RECTIFY_BUREAU_PURPOSE, notice.due_at),
    ]
    assert (
        Notification.objects.filter(
            recipient__in=[officer_a, principal_a], verb="inspections.rectification.returned"
        ).count()
        == 2
    )

    with time_machine.travel(datetime(2026, 3, 18, 9, 0, tzinfo=TZ), tick=False):
        # Evidence uploaded the first time still counts.
        rectification_submit(actor=principal_a, notice=notice, measures=measures)
    with time_machine.travel(datetime(2026, 3, 19, 9, 0, tzinfo=TZ), tick=False):
        rectification_verify(actor=inspector, notice=notice, note="复查合格")
    notice.refresh_from_db()
    assert notice.status == RectificationStatus.VERIFIED
    assert notice.verified_by == inspector
    assert notice.on_time is True
    closed = datetime(2026, 3, 19, 9, 0, tzinfo=TZ)
    assert list(Hazard.objects.values_list("status", "closed_at")) == [
        (HazardStatus.CLOSED, closed),
        (HazardStatus.CLOSED, closed),
    ]
    assert not Deadline.objects.for_case(notice).open().exists()
    refused("bad_status", rectification_return, actor=inspector, notice=notice, reason="again")


@pytest.mark.django_db
def test_return_after_the_deadline_gives_the_resubmission_days(district, inspector, officer_a):
    with time_machine.travel(TUESDAY, tick=False):
        notice = rectification_issue(
            actor=inspector, hazards=[hazard(inspector, district.school_a)]
        )
    with time_machine.travel(datetime(2026, 3, 27, 9, 0, tzinfo=TZ), tick=False):
        rectification_submit(
            actor=officer_a,
            notice=notice,
            measures={notice.hazards.get().pk: "清理"},
            evidence=[evidence()],
        )
    # Submitted (late): both copies of the limit are met, so nothing escalates any more.
    assert not Deadline.objects.for_case(notice).open().exists()
    with time_machine.travel(datetime(2026, 3, 30, 9, 0, tzinfo=TZ), tick=False):  # Monday
        assert deadline_sweep() == 0
        rectification_return(actor=inspector, notice=notice, reason="未清理干净")
    assert sorted(Deadline.objects.for_case(notice).open().values_list("purpose", flat=True)) == [
        "rectify",
        RECTIFY_BUREAU_PURPOSE,
    ]
    assert rule("rectify_resubmit_days") == 5
    due = Deadline.objects.for_case(notice).open().get(purpose="rectify").due_at
    # Five working days from Monday 30 March, over the Qingming holiday (4–6 April).
    assert due == datetime(2026, 4, 7, 23, 59, 59, 999999, tzinfo=TZ)
    assert notice.due_at == datetime(2026, 3, 24, 23, 59, 59, 999999, tzinfo=TZ)
    with time_machine.travel(datetime(2026, 4, 1, 9, 0, tzinfo=TZ), tick=False):
        rectification_submit(
            actor=officer_a, notice=notice, measures={notice.hazards.get().pk: "清理"}
        )
        rectification_verify(actor=inspector, notice=notice)
    notice.refresh_from_db()
    assert notice.on_time is False


@pytest.mark.django_db
def test_a_school_verified_notice_cannot_be_verified_by_its_submitter(
    district, principal_a, officer_a
):
    own = hazard(principal_a, district.school_a)
    notice = rectification_issue(actor=principal_a, hazards=[own])
    assert notice.verifier_unit == district.school_a
    rectification_submit(
        actor=principal_a, notice=notice, measures={own.pk: "清理"}, evidence=[evidence()]
    )
    error = refused("own_work", rectification_verify, actor=principal_a, notice=notice)
    assert str(error.message) == "You cannot verify your own rectification."
    refused("forbidden", rectification_verify, actor=officer_a, notice=notice)


@pytest.mark.django_db
def test_deadline_by_level_in_working_days(district, inspector):
    friday = datetime(2026, 3, 13, 16, 0, tzinfo=TZ)
    with time_machine.travel(friday, tick=False):
        serious = hazard(inspector, district.school_a, HazardLevel.SERIOUS)
        general = hazard(inspector, district.school_a)
        notice = rectification_issue(actor=inspector, hazards=[general, serious])
        refused(
            "past_deadline",
            rectification_issue,
            actor=inspector,
            hazards=[hazard(inspector, district.school_b)],
            due_on=date(2026, 3, 12),
        )
        assert Rectification.objects.count() == 1
        assert Hazard.objects.filter(school=district.school_b).get().status == HazardStatus.OPEN
    assert rule("rectify_days_serious") == 5
    # Mon 16 … Fri 20 March: five working days after Friday the 13th.
    assert notice.due_at == datetime(2026, 3, 20, 23, 59, 59, 999999, tzinfo=TZ)
    assert sorted(Deadline.objects.for_case(notice).values_list("purpose", "working_days")) == [
        ("rectify", True),
        (RECTIFY_BUREAU_PURPOSE, True),
    ]


@pytest.mark.django_db
def test_an_overdue_notice_escalates_once_to_each_side(
    district, inspector, officer_a, principal_a, safety_officer, teacher_a
):
    with time_machine.travel(TUESDAY, tick=False):
        notice = rectification_issue(
            actor=inspector, hazards=[hazard(inspector, district.school_a)]
        )
    assert rule("rectify_days_general") == 10
    assert notice.due_at == datetime(2026, 3, 24, 23, 59, 59, 999999, tzinfo=TZ)
    with time_machine.travel(datetime(2026, 3, 25, 9, 0, tzinfo=TZ), tick=False):
        assert deadline_sweep() == 2
        assert deadline_sweep() == 0
    events = CaseEvent.objects.for_case(notice).filter(kind=CaseEventKind.ESCALATED)
    assert sorted(e.data["purpose"] for e in events) == ["rectify", RECTIFY_BUREAU_PURPOSE]
    escalated = Notification.objects.filter(verb="cases.deadline.escalated")
    assert sorted(escalated.values_list("recipient__username", flat=True)) == [
        "officer_a",
        "principal_a",
        "safety_officer",
    ]


@pytest.mark.django_db
def test_cancel_puts_the_hazards_back_and_void(district, inspector, safety_officer, officer_a):
    first = hazard(inspector, district.school_a)
    notice = rectification_issue(actor=inspector, hazards=[first])
    refused("forbidden", rectification_cancel, actor=inspector, notice=notice, reason="错发")
    refused("reason_required", rectification_cancel, actor=safety_officer, notice=notice, reason="")
    refused("not_voidable", hazard_void, actor=inspector, hazard=first, reason="重复录入")
    rectification_cancel(actor=safety_officer, notice=notice, reason="错发")
    notice.refresh_from_db()
    first.refresh_from_db()
    assert notice.status == RectificationStatus.CANCELLED
    assert (first.status, first.rectification_id) == (HazardStatus.OPEN, None)
    refused("forbidden", hazard_void, actor=officer_a, hazard=first, reason="重复录入")
    refused("reason_required", hazard_void, actor=inspector, hazard=first, reason="")
    hazard_void(actor=inspector, hazard=first, reason="重复录入")
    first.refresh_from_db()
    assert first.status == HazardStatus.VOID


@pytest.mark.django_db
def test_only_the_notices_school_submits(district, inspector, officer_b, teacher_a):
    notice = rectification_issue(actor=inspector, hazards=[hazard(inspector, district.school_a)])
    pk = notice.hazards.get().pk
    for person in (officer_b, teacher_a):
        refused(
            "forbidden",
            rectification_submit,
            actor=person,
            notice=notice,
            measures={pk: "x"},
            evidence=[evidence()],
        )
    assert Attachment.objects.count() == 0


@pytest.mark.django_db
def test_a_stale_submission_is_refused(district, inspector, officer_a):
    notice = rectification_issue(actor=inspector, hazards=[hazard(inspector, district.school_a)])
    refused(
        "stale",
        rectification_submit,
        actor=officer_a,
        notice=notice,
        measures={notice.hazards.get().pk: "清理"},
        evidence=[evidence()],
        expected_version=notice.lock_version + 1,
    )
