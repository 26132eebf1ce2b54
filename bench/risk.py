"""make bench-risk: grading 10,000 schools with a year of evidence, in a throwaway database.

Target (issue #6): ``risk.services.grading.grade_month`` for one month of a 10,000-school
district under 10 s, with set-based queries (one per kind of evidence, whatever the number
of schools).
Beside it, the baseline: the time to count the same evidence rows with one ``COUNT`` query
per kind of evidence (the same filters the evidence selectors use, without grouping by
school) — the floor any per-school grade must read.

Evidence seeded in bulk (the services are bypassed, as a bench may), per school and year:
2 hazards (a quarter still open), 0.5 rectification notices with their deadline (half of
them overdue), 0.5 leads, 20 alarms (a tenth high or critical, 2 % still open), 3 devices
(a tenth offline), 12 planned inspections (monthly; 10 % missed, 5 % late) and one risk
register item; the shipped seasonal calendar applies. 10 % of schools board, 15 % are
near water.

SQLite under a temporary directory by default; PostgreSQL when ``DATABASE_URL`` is set
(the database must be empty: it is migrated and filled). ``BENCH_SCHOOLS`` changes the
size, ``BENCH_KEEP=1`` keeps the SQLite directory.
"""

from __future__ import annotations

import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.targets import Target, finish  # noqa: E402

SCHOOLS = int(os.environ.get("BENCH_RISK_SCHOOLS", os.environ.get("BENCH_SCHOOLS", "10000")))
TARGET_SECONDS = 10.0
RUNS = 3
BATCH = 5000
#: The graded month; the evidence is the year before its first day.
MONTH = date(2026, 4, 1)
PER_SCHOOL = {
    "hazards": 2,
    "rectifications": 0.5,
    "leads": 0.5,
    "alarms": 20,
    "devices": 3,
    "inspections": 12,
    "register": 1,
}


def _in_batches(model, rows) -> None:
    for start in range(0, len(rows), BATCH):
        model.objects.bulk_create(rows[start : start + BATCH])


def _moment(rng: random.Random, start: datetime, days: int) -> datetime:
    return start + timedelta(seconds=rng.uniform(0, days * 86400))


def seed(schools: int, now: datetime, seed_value: int = 20261204) -> dict[str, int]:
    """Bulk-insert the district and a year of evidence; returns the row counts."""
    from django.contrib.contenttypes.models import ContentType
    from django.db import transaction

    from safecampus.cases.models import Deadline
    from safecampus.inspections.models import (
        ChecklistTemplate,
        Hazard,
        Inspection,
        InspectionPlan,
        Rectification,
        TemplateVersion,
    )
    from safecampus.leads.models import Lead, LeadCategory
    from safecampus.organizations.choices import SchoolKind, UnitKind
    from safecampus.organizations.models import School, Unit
    from safecampus.risk.models import RiskItem, SchoolRiskProfile
    from safecampus.security.models import Alert, Device

    rng = random.Random(seed_value)
    year_ago = now - timedelta(days=365)
    kinds = list(SchoolKind.values)
    with transaction.atomic():
        bureau = Unit.objects.create(code="BENCH-JY", name="基准教育局", kind=UnitKind.BUREAU)
        _in_batches(
            Unit,
            [
                Unit(
                    code=f"S{i:05d}",
                    name=f"基准学校{i:05d}",
                    kind=UnitKind.SCHOOL,
                    parent=bureau,
                    latitude=round(31.6 + rng.random() * 0.5, 6),
                    longitude=round(119.7 + rng.random() * 0.6, 6),
                )
                for i in range(schools)
            ],
        )
        ids = list(Unit.objects.filter(kind=UnitKind.SCHOOL).values_list("pk", flat=True))
        _in_batches(
            School,
            [
                School(unit_id=sid, school_kind=rng.choice(kinds), boarding=rng.random() < 0.1)
                for sid in ids
            ],
        )
        _in_batches(
            SchoolRiskProfile,
            [
                SchoolRiskProfile(school_id=sid, near_water=True)
                for sid in ids
                if rng.random() < 0.15
            ],
        )

        # Hazards (a quarter open) and rectification notices with their deadline.
        hazards = []
        for sid in ids:
            for _ in range(PER_SCHOOL["hazards"]):
                found = _moment(rng, year_ago, 365)
                is_open = rng.random() < 0.25
                hazards.append(
                    Hazard(
                        school_id=sid,
                        category="gate",
                        level=rng.choices(["general", "serious", "major"], [80, 17, 3])[0],
                        description="基准隐患",
                        status="open" if is_open else "closed",
                        closed_at=None if is_open else found + timedelta(days=10),
                        source="school_report",
                        found_at=found,
                    )
                )
        _in_batches(Hazard, hazards)
        rect_ct = ContentType.objects.get_for_model(Rectification)
        notices = [
            Rectification(
                reference=f"ZG-B-{n:06d}",
                title="整改通知",
                status="issued",
                unit_id=sid,
                assignee_unit_id=sid,
                verifier_unit_id=bureau.pk,
            )
            for n, sid in enumerate(rng.sample(ids, int(schools * PER_SCHOOL["rectifications"])))
        ]
        _in_batches(Rectification, notices)
        deadlines = []
        for notice in Rectification.objects.filter(reference__startswith="ZG-B-").only("pk"):
            started = _moment(rng, now - timedelta(days=60), 55)
            due = started + timedelta(days=rng.choice([5, 10, 60, 90]))
            deadlines.append(
                Deadline(
                    content_type=rect_ct,
                    object_id=notice.pk,
                    purpose="rectify",
                    label="Rectification",
                    started_at=started,
                    days=10,
                    due_at=due,
                )
            )
        _in_batches(Deadline, deadlines)

        # Leads.
        categories = list(
            LeadCategory.objects.filter(children__isnull=True).values_list("pk", flat=True)
        )
        _in_batches(
            Lead,
            [
                Lead(
                    reference=f"XS-B-{n:06d}",
                    title="基准线索",
                    description="基准线索",
                    status="received",
                    category_id=rng.choice(categories),
                    unit_id=bureau.pk,
                    school_id=rng.choice(ids),
                    source="internal",
                    created_at=_moment(rng, year_ago, 365),
                )
                for n in range(int(schools * PER_SCHOOL["leads"]))
            ],
        )

        # Devices (a tenth silent) and alarms.
        devices = []
        for sid in ids:
            for d in range(PER_SCHOOL["devices"]):
                seen = now - timedelta(seconds=30 if rng.random() > 0.1 else 86400)
                devices.append(
                    Device(
                        school_id=sid,
                        code=f"D{sid}-{d}",
                        name="基准设备",
                        kind="camera",
                        secret_hash="0" * 64,
                        last_seen_at=seen,
                    )
                )
        _in_batches(Device, devices)
        alarms = []
        for sid in ids:
            for _ in range(PER_SCHOOL["alarms"]):
                at = _moment(rng, year_ago, 365)
                alarms.append(
                    Alert(
                        school_id=sid,
                        unit_id=sid,
                        event_type="intrusion",
                        priority=rng.choices([1, 2, 3, 4], [60, 30, 8, 2])[0],
                        status="open" if rng.random() < 0.02 else "disposed",
                        first_seen_at=at,
                        last_seen_at=at,
                    )
                )
        _in_batches(Alert, alarms)

        # Planned inspections: monthly, 10 % missed and 5 % late.
        template = ChecklistTemplate.objects.create(
            code="bench", name="基准检查表", kind="self_inspection"
        )
        version = TemplateVersion.objects.create(template=template, number=1, status="published")
        plan = InspectionPlan.objects.create(
            name="基准计划",
            template=template,
            performer="school",
            frequency="monthly",
            starts_on=year_ago.date(),
        )
        inspections = []
        for sid in ids:
            for m in range(PER_SCHOOL["inspections"]):
                due = (MONTH - timedelta(days=28 * (m + 1))).replace(day=20)
                roll = rng.random()
                status = "due" if roll < 0.1 else "submitted"
                late = 0.1 <= roll < 0.15
                submitted = None
                if status == "submitted":
                    submitted = datetime(due.year, due.month, due.day, 10, tzinfo=now.tzinfo)
                    submitted += timedelta(days=3 if late else -1)
                inspections.append(
                    Inspection(
                        plan=plan,
                        version=version,
                        kind="self_inspection",
                        school_id=sid,
                        performer="school",
                        period=f"{due:%Y-%m}",
                        due_on=due,
                        status=status,
                        submitted_at=submitted,
                        score_percent=90 if submitted else None,
                    )
                )
        _in_batches(Inspection, inspections)

        _in_batches(
            RiskItem,
            [
                RiskItem(
                    school_id=sid,
                    category="fire",
                    title="基准风险",
                    likelihood=3,
                    severity=4,
                    level=rng.choices(["red", "orange", "yellow", "blue"], [3, 12, 35, 50])[0],
                    owner_name="校长",
                    control_measures="巡查",
                    review_due=MONTH,
                )
                for sid in ids
            ],
        )
    return {
        "schools": len(ids),
        "hazards": len(hazards),
        "rectifications": len(notices),
        "leads": int(schools * PER_SCHOOL["leads"]),
        "devices": len(devices),
        "alarms": len(alarms),
        "inspections": len(inspections),
        "register": len(ids),
    }


def baseline(now: datetime) -> tuple[float, int]:
    """One COUNT query per kind of evidence, with the selectors' filters; (seconds, rows)."""
    from django.contrib.contenttypes.models import ContentType
    from django.db.models import F, Q

    from safecampus.cases.models import Deadline
    from safecampus.inspections.choices import OPEN_HAZARD_STATUSES
    from safecampus.inspections.models import Hazard, Inspection, Rectification
    from safecampus.leads.models import Lead
    from safecampus.risk.grading import evidence_window
    from safecampus.risk.models import RiskItem
    from safecampus.security.models import Alert, Device

    first, last, start, end = evidence_window(MONTH)
    rect_ct = ContentType.objects.get_for_model(Rectification)
    began = time.perf_counter()
    counts = [
        Hazard.objects.filter(status__in=OPEN_HAZARD_STATUSES, found_at__lte=now).count(),
        Deadline.objects.overdue(now).filter(content_type=rect_ct, purpose="rectify").count(),
        Lead.objects.filter(
            created_at__gte=start, created_at__lt=end, school__isnull=False, is_spam=False
        ).count(),
        Alert.objects.filter(first_seen_at__gte=start, first_seen_at__lt=end).count(),
        Alert.objects.filter(status="open", first_seen_at__lte=now).count(),
        Device.objects.filter(enabled=True).count(),
        Inspection.objects.filter(plan__isnull=False, due_on__gte=first, due_on__lte=last)
        .filter(Q(status__in=["due", "draft"]) | Q(submitted_at__date__gt=F("due_on")))
        .count(),
        RiskItem.objects.filter(is_active=True, level__in=["red", "orange"]).count(),
    ]
    return time.perf_counter() - began, sum(counts)


def measure() -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from safecampus.core.localtime import CHINA_TZ
    from safecampus.risk.services import grading

    now = datetime(MONTH.year, MONTH.month, 1, 9, 0, tzinfo=CHINA_TZ)
    began = time.perf_counter()
    rows = seed(SCHOOLS, now)
    print(
        f"  seeded in {time.perf_counter() - began:.1f} s: "
        + ", ".join(f"{name} {count:,}" for name, count in rows.items()),
        flush=True,
    )
    timings, queries, run = [], 0, None
    for _ in range(RUNS):
        with CaptureQueriesContext(connection) as captured:
            began = time.perf_counter()
            run = grading.grade_month(month=MONTH, now=now)
            timings.append(time.perf_counter() - began)
        queries = len(captured.captured_queries)
    base = [baseline(now) for _ in range(RUNS)]
    base_time = statistics.median(t for t, _n in base)
    grade_time = statistics.median(timings)
    assert run is not None
    ok = grade_time < TARGET_SECONDS
    print()
    print(f"{'measure':<58}{'median s':>10}{'target':>10}  result")
    print(
        f"{'grade_month: ' + f'{run.schools:,} schools, {queries} queries':<58}"
        f"{grade_time:>10.2f}{'< 10 s':>10}  {'PASS' if ok else 'FAIL'}"
    )
    print(
        f"{'baseline: 8 COUNT queries, ' + f'{base[0][1]:,} evidence rows':<58}"
        f"{base_time:>10.2f}{'':>10}  ratio {grade_time / max(base_time, 1e-6):.1f}×"
    )
    print(f"  levels: {run.by_level}; runs: {', '.join(f'{t:.2f}' for t in timings)} s")
    finish(
        [
            Target(f"grade_month, {run.schools:,} schools", grade_time, "s",
                   f"< {TARGET_SECONDS} s", ok, base_time, "8 COUNT queries"),
        ]
    )  # fmt: skip


def main() -> None:
    var = tempfile.mkdtemp(prefix="sc-bench-risk-")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ["SAFECAMPUS_VAR_DIR"] = var
    database = "PostgreSQL (DATABASE_URL)" if os.environ.get("DATABASE_URL") else f"SQLite in {var}"
    print(f"bench-risk: {SCHOOLS:,} schools, a year of evidence, {database}", flush=True)
    try:
        subprocess.run(
            [sys.executable, "manage.py", "migrate", "--noinput"],
            cwd=ROOT,
            env=os.environ.copy(),
            check=True,
            capture_output=True,
        )
        import django

        django.setup()
        measure()
    finally:
        if os.environ.get("BENCH_KEEP"):
            print(f"kept {var} (BENCH_KEEP)")
        else:
            shutil.rmtree(var, ignore_errors=True)


if __name__ == "__main__":
    main()
