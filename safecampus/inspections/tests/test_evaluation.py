"""The safe-campus evaluation: exact scores on constructed data, ranking, scope, pages, API."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine

from conftest import login
from safecampus.inspections.choices import (
    Frequency,
    InspectionStatus,
    Performer,
    RectificationStatus,
    TemplateKind,
)
from safecampus.inspections.evaluation import (
    Grade,
    district_scores,
    evaluation_breakdown,
    evaluation_ranking,
)
from safecampus.inspections.models import Inspection, InspectionPlan, Rectification
from safecampus.inspections.tests.factories import make_checklist
from safecampus.organizations.tests.factories import SchoolFactory

SH = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 12, 4, 10, 0, tzinfo=SH)

pytestmark = [pytest.mark.django_db]


@pytest.fixture
def clock():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def version(db):
    return make_checklist(code="eval", kind=TemplateKind.EVALUATION)


def evaluate(school, version, percent, at, *, veto=False):
    return Inspection.objects.create(
        version=version,
        kind=TemplateKind.EVALUATION,
        school=school,
        performer=Performer.INSPECTOR,
        due_on=at.date(),
        status=InspectionStatus.SUBMITTED,
        submitted_at=at,
        score_percent=Decimal(percent),
        veto_failed=veto,
        passed=not veto,
    )


_refs = iter(range(1, 10_000))


def notice(school, bureau, due, *, status=RectificationStatus.VERIFIED, on_time=True):
    return Rectification.objects.create(
        reference=f"ZG-T-{next(_refs):06d}",
        title="整改通知书",
        status=status,
        unit=school,
        verifier_unit=bureau,
        due_at=due,
        on_time=on_time,
    )


def test_exact_total_and_grade(clock, district, version):
    school, bureau = district.school_a, district.bureau
    evaluate(school, version, "80.0", datetime(2026, 5, 10, 9, tzinfo=SH))
    evaluate(school, version, "90.0", datetime(2026, 11, 2, 9, tzinfo=SH))
    notice(school, bureau, datetime(2026, 6, 1, 23, tzinfo=SH))
    notice(school, bureau, datetime(2026, 7, 1, 23, tzinfo=SH))
    notice(
        school,
        bureau,
        datetime(2026, 8, 1, 23, tzinfo=SH),
        status=RectificationStatus.ISSUED,
        on_time=None,
    )
    # Not due yet and undecided: not counted.
    notice(
        school,
        bureau,
        datetime(2026, 12, 20, 23, tzinfo=SH),
        status=RectificationStatus.ISSUED,
        on_time=None,
    )

    scores = {s.code: s for s in district_scores(2026)}
    a = scores["XB-001"]
    assert (a.evaluations, a.checklist_percent) == (2, Decimal("85"))
    assert a.checklist == Decimal("59.5")
    assert (a.notices_counted, a.notices_on_time, a.overdue_open) == (3, 2, 1)
    assert a.timeliness == Decimal("13.3")
    assert (a.planned_due, a.self_inspection) == (0, Decimal("10.0"))
    assert a.penalty == Decimal("2")
    # 59.5 + 13.333… + 10 − 2 = 80.83…
    assert a.total == Decimal("80.8")
    assert (a.grade, a.rank, a.veto) == (Grade.GOOD, 1, False)


def test_a_school_without_evaluation_is_not_evaluated_and_listed_last(clock, district, version):
    evaluate(district.school_b, version, "50.0", datetime(2026, 3, 1, 9, tzinfo=SH))
    scores = district_scores(2026)
    assert [s.code for s in scores] == ["XB-002", "XB-001"]
    a = scores[1]
    assert (a.total, a.checklist, a.grade, a.rank, a.evaluated) == (
        None,
        None,
        Grade.NONE,
        None,
        False,
    )
    b = scores[0]
    # 35 + 20 + 10
    assert (b.total, b.grade, b.rank) == (Decimal("65.0"), Grade.PASS, 1)


def test_a_failed_veto_item_fails_the_school_whatever_its_total(clock, district, version):
    evaluate(district.school_a, version, "95.0", datetime(2026, 4, 1, 9, tzinfo=SH))
    evaluate(district.school_a, version, "95.0", datetime(2026, 9, 1, 9, tzinfo=SH), veto=True)
    a = district_scores(2026)[0]
    assert (a.total, a.veto, a.grade) == (Decimal("96.5"), True, Grade.FAIL)


def test_the_overdue_penalty_is_capped(clock, district, version):
    evaluate(district.school_a, version, "100.0", datetime(2026, 4, 1, 9, tzinfo=SH))
    for month in range(1, 8):
        notice(
            district.school_a,
            district.bureau,
            datetime(2026, month, 15, 23, tzinfo=SH),
            status=RectificationStatus.RETURNED,
            on_time=None,
        )
    a = district_scores(2026)[0]
    assert (a.overdue_open, a.penalty, a.timeliness) == (7, Decimal("10"), Decimal("0.0"))
    # 70 + 0 + 10 − 10
    assert (a.total, a.grade) == (Decimal("70.0"), Grade.PASS)


def test_ties_share_a_rank(clock, district, version):
    extra = [SchoolFactory(unit__code=f"XB-10{i}").unit for i in range(2)]
    schools = [district.school_a, district.school_b, *extra]
    for school, percent in zip(schools, ["90", "80", "80", "70"], strict=True):
        evaluate(school, version, percent, datetime(2026, 4, 1, 9, tzinfo=SH))
    scores = district_scores(2026)
    assert [(s.code, s.rank, s.total) for s in scores] == [
        ("XB-001", 1, Decimal("93.0")),
        ("XB-002", 2, Decimal("86.0")),
        ("XB-100", 2, Decimal("86.0")),
        ("XB-101", 4, Decimal("79.0")),
    ]


def test_a_vetoed_school_ranks_below_every_school_without_a_veto(clock, district, version):
    extra = [SchoolFactory(unit__code=f"XB-10{i}").unit for i in range(2)]
    schools = [district.school_a, district.school_b, *extra]
    at = datetime(2026, 4, 1, 9, tzinfo=SH)
    for school, percent, veto in zip(
        schools, ["99", "60", "98", "98"], [True, False, True, True], strict=True
    ):
        evaluate(school, version, percent, at, veto=veto)
    scores = district_scores(2026)
    # The vetoed schools' totals (99.3, 98.6) beat XB-002's 72.0, yet they rank below it;
    # among themselves they still rank by total, ties sharing a rank.
    assert [(s.code, s.rank, s.grade) for s in scores] == [
        ("XB-002", 1, Grade.PASS),
        ("XB-001", 2, Grade.FAIL),
        ("XB-100", 3, Grade.FAIL),
        ("XB-101", 3, Grade.FAIL),
    ]


def test_the_year_is_counted_in_china_time(clock, district, version):
    # 23:30 on 31 December in Shanghai is still 2026 (15:30 UTC).
    evaluate(district.school_a, version, "60.0", datetime(2026, 12, 31, 23, 30, tzinfo=SH))
    # 00:10 on 1 January in Shanghai is 2027, though it is 2026 in UTC.
    evaluate(district.school_a, version, "100.0", datetime(2027, 1, 1, 0, 10, tzinfo=SH))
    a = district_scores(2026, now=datetime(2027, 1, 2, tzinfo=SH))[0]
    assert (a.evaluations, a.checklist_percent) == (1, Decimal("60"))
    later = district_scores(2027, now=datetime(2027, 1, 2, tzinfo=SH))[0]
    assert (later.evaluations, later.checklist_percent) == (1, Decimal("100"))


def test_planned_inspections_count_by_their_due_day_in_china_time(clock, district, version):
    evaluate(district.school_a, version, "100.0", datetime(2026, 4, 1, 9, tzinfo=SH))
    plan = InspectionPlan.objects.create(
        name="月度自查",
        template=version.template,
        performer=Performer.SCHOOL,
        frequency=Frequency.MONTHLY,
        starts_on=date(2026, 1, 1),
    )
    common = {
        "plan": plan,
        "version": version,
        "kind": TemplateKind.SELF_INSPECTION,
        "school": district.school_a,
        "performer": Performer.SCHOOL,
    }
    submitted = {"status": InspectionStatus.SUBMITTED, "score_percent": Decimal(90)}
    Inspection.objects.create(
        **common,
        **submitted,
        period="2026-03",
        due_on=date(2026, 3, 31),
        submitted_at=datetime(2026, 3, 31, 23, 0, tzinfo=SH),
    )
    Inspection.objects.create(
        **common,
        **submitted,
        period="2026-04",
        due_on=date(2026, 4, 30),
        submitted_at=datetime(2026, 5, 1, 0, 30, tzinfo=SH),
    )
    Inspection.objects.create(**common, period="2026-05", due_on=date(2026, 5, 31))
    Inspection.objects.create(
        **common, period="2026-06", due_on=date(2026, 6, 30), status=InspectionStatus.CANCELLED
    )
    Inspection.objects.create(**common, period="2026-12", due_on=date(2026, 12, 31))  # not due
    a = district_scores(2026)[0]
    assert (a.planned_due, a.planned_on_time, a.self_inspection) == (3, 1, Decimal("3.3"))


@pytest.mark.parametrize("count", [2, 20])
def test_the_ranking_takes_a_fixed_number_of_queries(
    clock, district, version, count, django_assert_max_num_queries, safety_officer
):
    for i in range(count - 2):
        school = SchoolFactory(unit__code=f"XB-2{i:02d}").unit
        evaluate(school, version, "75", datetime(2026, 4, 1, 9, tzinfo=SH))
        notice(school, district.bureau, datetime(2026, 5, 1, tzinfo=SH))
    _ = safety_officer.scope  # read once per request in real use, not part of the count
    with django_assert_max_num_queries(4):
        scores = evaluation_ranking(user=safety_officer, year=2026)
    assert len(scores) == count


def test_school_readers_see_only_their_own_row(clock, district, version, officer_a, teacher_a):
    evaluate(district.school_a, version, "70", datetime(2026, 4, 1, 9, tzinfo=SH))
    evaluate(district.school_b, version, "90", datetime(2026, 4, 1, 9, tzinfo=SH))
    for user in (officer_a, teacher_a):
        rows = evaluation_ranking(user=user, year=2026)
        assert [(s.code, s.rank) for s in rows] == [("XB-001", 2)]


def test_breakdown_lists_its_records(clock, district, version, safety_officer):
    first = evaluate(district.school_a, version, "80", datetime(2026, 4, 1, 9, tzinfo=SH))
    late = notice(
        district.school_a,
        district.bureau,
        datetime(2026, 5, 1, tzinfo=SH),
        status=RectificationStatus.ISSUED,
        on_time=None,
    )
    b = evaluation_breakdown(user=safety_officer, school=district.school_a, year=2026)
    assert b is not None
    assert [i.pk for i in b.inspections] == [first.pk]
    assert [n.pk for n in b.notices] == [late.pk]
    assert [n.pk for n in b.overdue] == [late.pk]
    assert (b.score.rank, b.schools_ranked) == (1, 1)


# --- pages and API ------------------------------------------------------------------------


def test_bureau_sees_the_ranking_page(client, clock, district, version, safety_officer):
    evaluate(district.school_a, version, "80", datetime(2026, 4, 1, 9, tzinfo=SH))
    client.cookies["django_language"] = "en"
    login(client, safety_officer)
    response = client.get("/inspections/evaluation/?year=2026")
    assert response.status_code == 200
    body = response.content.decode()
    assert "Safe-campus evaluation 2026" in body
    assert district.school_a.name in body and district.school_b.name in body
    assert "How the score is computed" in body
    assert 'id="grade-chart"' in body
    assert "<script>" not in body.replace('<script type="application/json"', "")
    assert client.get("/inspections/evaluation/?year=2026&sort=-total").status_code == 200


def test_a_bad_year_is_refused_politely(client, clock, district, safety_officer):
    client.cookies["django_language"] = "en"
    login(client, safety_officer)
    response = client.get("/inspections/evaluation/?year=1900")
    assert response.status_code == 200
    assert "Choose a year between 2000 and 2027." in response.content.decode()


def test_school_user_is_sent_to_their_own_breakdown(client, clock, district, officer_a):
    login(client, officer_a)
    response = client.get("/inspections/evaluation/?year=2026")
    assert response.status_code == 302
    assert response["Location"] == f"/inspections/evaluation/{district.school_a.pk}/?year=2026"
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert district.school_b.name not in page.content.decode()


def test_another_school_cannot_open_the_breakdown(client, clock, district, officer_b):
    login(client, officer_b)
    assert client.get(f"/inspections/evaluation/{district.school_a.pk}/").status_code == 404
    assert client.get(f"/api/v1/evaluation/{district.school_a.code}/").status_code == 404
    assert client.get(f"/inspections/evaluation/{district.school_b.pk}/").status_code == 200
    assert client.get("/api/v1/evaluation/").status_code == 403
    assert client.get("/inspections/evaluation/export.xlsx").status_code == 403


def test_the_breakdown_page_shows_the_numbers(client, clock, district, version, safety_officer):
    evaluate(district.school_a, version, "80", datetime(2026, 4, 1, 9, tzinfo=SH))
    notice(district.school_a, district.bureau, datetime(2026, 5, 1, tzinfo=SH))
    client.cookies["django_language"] = "en"
    login(client, safety_officer)
    body = client.get(f"/inspections/evaluation/{district.school_a.pk}/?year=2026")
    text = body.content.decode()
    assert "1 of 1 notices verified on time" in text
    assert "Counted once the incidents and education modules exist." in text


def test_api_ranking_and_breakdown(client, clock, district, version, safety_officer, officer_a):
    evaluate(district.school_a, version, "80", datetime(2026, 4, 1, 9, tzinfo=SH))
    login(client, safety_officer)
    rows = client.get("/api/v1/evaluation/?year=2026").json()
    assert [(r["school"], r["rank"], r["total"], r["grade"]) for r in rows] == [
        ("XB-001", 1, 86.0, "good"),
        ("XB-002", None, None, "none"),
    ]
    client.logout()
    login(client, officer_a)
    data = client.get("/api/v1/evaluation/XB-001/?year=2026").json()
    assert (data["score"]["total"], data["schools_ranked"]) == (86.0, 1)
    assert client.get("/api/v1/evaluation/?year=abc").status_code in (400, 403)


def test_evaluation_export(client, clock, district, version, safety_officer):
    import io

    from openpyxl import load_workbook

    evaluate(district.school_a, version, "80", datetime(2026, 4, 1, 9, tzinfo=SH))
    client.cookies["django_language"] = "en"
    login(client, safety_officer)
    response = client.get("/inspections/evaluation/export.xlsx?year=2026")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    rows = list(sheet.iter_rows(min_row=4, values_only=True))
    assert [(r[0], r[1], r[15], r[16]) for r in rows] == [
        (1, "XB-001", 86.0, "Good"),
        (None, "XB-002", None, "Not evaluated"),
    ]
