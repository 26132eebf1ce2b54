"""make bench-leads: the ledger, lead statistics and the anonymous portal under gunicorn.

Targets (issue #3): with 200,000 leads across 1,000 schools, the ledger (unfiltered and
filtered) and the statistics (API and page) at p95 < 150 ms, and >= 50 anonymous
submissions per second through the portal, receipt hashing included. Baselines measured
in the same run: /healthz and the API school list for reads; for submissions the same
endpoint's validation failure (throttle, JSON parsing and the serializer with its category
lookup, then 400), so the figure says what creating the lead and its receipt costs.

The statistics are cached per scope for a minute, so the HTTP figures are warm; the cold
computation (cache cleared before each call) is timed in-process and printed too.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.targets import Target, finish
from bench.web import (
    CONCURRENCY,
    PY,
    ROOT,
    SCHOOLS,
    SECONDS,
    WRK,
    credentials,
    free_port,
    load,
    manage,
    start_gunicorn,
    wait_until_up,
    warm_up,
)

LEADS = int(os.environ.get("BENCH_LEADS", "200000"))
BATCH = 5000
COLD_RUNS = int(os.environ.get("BENCH_COLD_RUNS", "20"))
#: Portal throttles raised for the bench: one address sends every report.
UNTHROTTLED = {
    "RULE_PORTAL_SUBMISSIONS_PER_CLIENT": "100000000",
    "RULE_PORTAL_SUBMISSIONS_GLOBAL": "100000000",
    "RULE_PORTAL_CHALLENGE_PERCENT": "100",
}
#: Status mix of the seeded leads, with the share that is still open (created recently).
STATUS_WEIGHTS = {
    "received": 3,
    "accepted": 3,
    "assigned": 5,
    "transferred": 3,
    "handling": 8,
    "concluded": 20,
    "closed": 45,
    "rejected": 11,
    "merged": 2,
}
OPEN = {"accepted", "assigned", "transferred", "handling"}
DAY = 86400
HEADINGS = {"rps": "req/s", "p50": "p50 ms", "p95": "p95 ms", "p99": "p99 ms", "errors": "errors"}


def seed_leads(count: int, seed: int = 20261129) -> dict[str, str]:
    """Bulk-insert ``count`` valid leads (bypassing the services, as a bench may): 24 months,
    skewed over schools, every sub-type, a status mix with results, conclusion events and
    open deadlines, 1 % spam. Returns the codes the filtered ledger asks for."""
    from django.contrib.contenttypes.models import ContentType
    from django.db import transaction
    from django.db.models import Max
    from django.utils import timezone

    from safecampus.cases.choices import CaseEventKind
    from safecampus.cases.models import CaseEvent, Deadline
    from safecampus.leads.choices import LeadResult, LeadSource
    from safecampus.leads.models import Lead, LeadCategory
    from safecampus.organizations.choices import UnitKind
    from safecampus.organizations.models import Unit

    rng = random.Random(seed)
    section = Unit.objects.filter(is_safety_section=True).order_by("pk").first()
    assert section is not None
    schools = list(Unit.objects.filter(kind=UnitKind.SCHOOL).values_list("pk", flat=True))
    ranks = [1 / (i + 1) ** 0.6 for i in range(len(schools))]  # a few schools have many leads
    categories = list(
        LeadCategory.objects.filter(children__isnull=True).values_list("pk", flat=True)
    )
    statuses, weights = list(STATUS_WEIGHTS), list(STATUS_WEIGHTS.values())
    results = list(LeadResult.values)
    sources = [s for s in LeadSource.values if s != LeadSource.IMPORT]
    created_field = Lead._meta.get_field("created_at")
    created_field.auto_now_add = False  # type: ignore[attr-defined]  # spread over 24 months
    now = timezone.now()
    content_type = ContentType.objects.get_for_model(Lead)
    next_pk = (Lead.objects.aggregate(m=Max("pk"))["m"] or 0) + 1
    first_pk = next_pk
    for start in range(0, count, BATCH):
        leads, events, deadlines = [], [], []
        for _ in range(min(BATCH, count - start)):
            status = rng.choices(statuses, weights)[0]
            span = 90 if status in OPEN or status == "received" else 730
            created = now - timedelta(seconds=rng.uniform(3600, span * DAY))
            school = rng.choices(schools, ranks)[0]
            source = rng.choice(sources)
            lead = Lead(
                pk=next_pk,
                reference=f"XS-{created.year}-{next_pk:06d}",
                title=f"bench lead {next_pk}",
                description="校门口有社会人员向学生索要钱财（基准测试数据）",
                status=status,
                category_id=rng.choice(categories),
                unit_id=school if source == LeadSource.SCREENING else section.pk,
                school_id=school,
                assignee_unit_id=school if status in OPEN | {"concluded", "closed"} else None,
                source=source,
                result=rng.choice(results) if status in ("concluded", "closed") else "",
                is_spam=status == "rejected" and rng.random() < 0.1,
                merged_into_id=first_pk if status == "merged" and next_pk > first_pk else None,
                created_at=created,
            )
            if status == "merged" and lead.merged_into_id is None:
                lead.status = "received"
            if status in ("concluded", "closed"):
                concluded = min(created + timedelta(days=rng.lognormvariate(2.6, 0.8)), now)
                events.append(
                    CaseEvent(
                        content_type=content_type,
                        object_id=next_pk,
                        at=concluded,
                        actor_label="bench",
                        kind=CaseEventKind.TRANSITIONED,
                        from_status="handling",
                        to_status="concluded",
                    )
                )
                lead.concluded_at = concluded
                if status == "closed":
                    lead.closed_at = min(concluded + timedelta(days=2), now)
            elif status in ("rejected", "merged"):
                lead.closed_at = min(created + timedelta(days=1), now)
            if status in OPEN:
                deadlines.append(
                    Deadline(
                        content_type=content_type,
                        object_id=next_pk,
                        purpose="conclude",
                        label="Conclude the lead",
                        started_at=created,
                        days=30,
                        working_days=True,
                        due_at=created + timedelta(days=42),
                    )
                )
            leads.append(lead)
            next_pk += 1
        with transaction.atomic():
            Lead.objects.bulk_create(leads)
            CaseEvent.objects.bulk_create(events)
            Deadline.objects.bulk_create(deadlines)
    busiest = Unit.objects.get(pk=schools[0])
    category = LeadCategory.objects.get(pk=categories[0])
    parent = category.parent.code if category.parent else category.code
    return {"school": busiest.code, "category": parent}


def cold_statistics(runs: int) -> dict[str, float]:
    """Time ``lead_statistics`` for the bureau with the cache cleared before each call."""
    from django.core.cache import cache

    from safecampus.accounts.models import User
    from safecampus.leads.selectors.stats import lead_statistics

    user = User.objects.get(username="safety")
    timings = []
    for _ in range(runs):
        cache.clear()
        began = time.perf_counter()
        lead_statistics(user=user)
        timings.append((time.perf_counter() - began) * 1000)
    timings.sort()
    return {
        "p50": round(timings[len(timings) // 2], 1),
        "p95": round(timings[min(len(timings) - 1, int(len(timings) * 0.95))], 1),
    }


def _django(env: dict[str, str], call: str) -> str:
    script = (
        f"import django, json; django.setup()\nimport bench.leads as b\nprint(json.dumps({call}))"
    )
    return (
        subprocess.run(
            [PY, "-c", script], cwd=ROOT, env=env, check=True, capture_output=True, text=True
        )
        .stdout.strip()
        .splitlines()[-1]
    )


def post_load(port: int, path: str, body: dict[str, str]) -> dict | None:
    """wrk with a POST body (None without wrk); the report script is bench/wrk_report.lua."""
    if not WRK:
        return None
    script = Path(tempfile.mkstemp(suffix=".lua")[1])
    report = ROOT / "bench" / "wrk_report.lua"
    script.write_text(
        f'dofile("{report}")\nwrk.method = "POST"\n'
        f'wrk.headers["Content-Type"] = "application/json"\n'
        f"wrk.body = [[{json.dumps(body, ensure_ascii=False)}]]\n"
    )
    command = [WRK, "-t1", f"-c{CONCURRENCY}", f"-d{SECONDS:.0f}s", "-s", str(script)]
    out = subprocess.run(
        [*command, f"http://127.0.0.1:{port}{path}"], check=True, capture_output=True, text=True
    )
    script.unlink()
    line = next(x for x in out.stdout.splitlines() if x.startswith("JSON "))
    return {"path": path, **json.loads(line[5:])}


def _row(label: str, r: dict, note: str = "") -> None:
    print(
        f"{label:<46}{r['rps']:>9}{r['p50']:>9}{r['p95']:>9}{r['p99']:>9}{r['errors']:>8}  {note}"
    )


def main() -> None:
    var = tempfile.mkdtemp(prefix="sc-bench-leads-")
    env = {
        **os.environ,
        **UNTHROTTLED,
        "SAFECAMPUS_VAR_DIR": var,
        "DJANGO_SETTINGS_MODULE": "config.settings",
    }
    print(f"Setting up a {SCHOOLS}-school district with {LEADS:,} leads in {var} …", flush=True)
    started = time.perf_counter()
    manage(env, "migrate", "--noinput")
    manage(env, "seed_demo", "--schools", str(SCHOOLS), "--quiet")
    print(f"  district seeded in {time.perf_counter() - started:.1f} s", flush=True)
    started = time.perf_counter()
    codes = json.loads(_django(env, f"b.seed_leads({LEADS})"))
    print(f"  {LEADS:,} leads seeded in {time.perf_counter() - started:.1f} s", flush=True)
    cold = json.loads(_django(env, f"b.cold_statistics({COLD_RUNS})"))
    codes["period"] = json.loads(_django(env, "b.ledger_has_period()"))
    session, token = credentials(env)
    port = free_port()
    server = start_gunicorn(env, port)
    try:
        wait_until_up(port)
        reads, warm, invalid, submitted = _measure(port, session, token, codes, cold)
        server.terminate()
        server.wait(timeout=10)
        # The same reads with every cache a miss: the goals hold for these rows.
        port = free_port()
        server = start_gunicorn(env, port, cold=True)
        wait_until_up(port)
        results = {}
        for label, path, headers in reads:
            warm_up(port, path, headers, seconds=3, clients=4)
            results[label] = r = load(port, path, headers)
            _row(f"{label} — cold", r)
    finally:
        server.terminate()
        server.wait(timeout=10)
        if os.environ.get("BENCH_KEEP"):
            print(f"kept {var} (BENCH_KEEP)")
        else:
            shutil.rmtree(var, ignore_errors=True)
    finish(_targets(reads, results, warm, invalid, submitted))


def ledger_has_period() -> bool:
    from safecampus.leads.forms import LeadFilterForm

    return "received_from" in LeadFilterForm.base_fields


def _measure(
    port: int, session: str, token: str, codes: dict, cold: dict
) -> tuple[list[tuple[str, str, str]], dict[str, dict], dict | None, dict | None]:
    cookie = f"Cookie: sessionid={session}; django_language=en\\r\\n"
    auth = f"Authorization: Token {token}\\r\\n"
    filters = f"?category={codes['category']}&status=closed&school={codes['school']}"
    if codes["period"]:
        filters += "&received_from=2026-01-01&received_to=2026-06-30"
    reads = [
        ("baseline: trivial view /healthz", "/healthz", ""),
        ("baseline: API school list (token)", "/api/v1/schools/", auth),
        ("ledger /leads/ unfiltered", "/leads/", cookie),
        ("ledger /leads/ filtered", "/leads/" + filters, cookie),
        ("API /api/v1/leads/statistics/ (token)", "/api/v1/leads/statistics/", auth),
        ("page /leads/statistics/", "/leads/statistics/", cookie),
    ]
    load_from = "wrk" if WRK else "bench/loadgen.py"
    print(
        f"\n{SECONDS:.0f} s each, {CONCURRENCY} connections, gunicorn 2 sync workers, {load_from}"
    )
    print(f"ledger filter: {filters}\n")
    _row("endpoint", HEADINGS)
    results = {}
    for label, path, headers in reads:
        # Warm-up right before each run: imports, templates, and the statistics cache, whose
        # recount after a minute is the "cold" row below, not part of the warm figures.
        warm_up(port, path, headers, seconds=3, clients=4)
        results[label] = r = load(port, path, headers)
        _row(f"{label} — warm", r)
    print(
        f"{'statistics computed cold (in-process, bureau)':<46}{'':>9}{cold['p50']:>9}"
        f"{cold['p95']:>9}"
    )
    portal = "/api/v1/public/leads/"
    invalid = post_load(port, portal, {"category": "no-such-category", "description": "x"})
    submitted = post_load(
        port,
        portal,
        {"category": "bullying_violence", "description": "初二学生在厕所被高年级学生围殴"},
    )
    if invalid is None or submitted is None:
        print("portal submissions: not measured (POST load needs wrk)")
    else:
        _row("baseline: portal POST refused (400)", invalid, "(errors = the expected 400s)")
        _row("portal POST anonymous submission (201)", submitted)
    return reads, results, invalid, submitted


def _targets(
    reads: list[tuple[str, str, str]],
    results: dict[str, dict],
    warm: dict[str, dict],
    invalid: dict | None,
    submitted: dict | None,
) -> list[Target]:
    """The goals, on the cold rows (``results``); errors counted in every row."""
    base = results["baseline: trivial view /healthz"]
    targets = [
        Target(label, results[label]["p95"], "ms", "p95 < 150 ms", results[label]["p95"] < 150,
               base["p95"], "/healthz")
        for label, _p, _h in reads[2:]
    ]  # fmt: skip
    for label in ("ledger /leads/ unfiltered", "ledger /leads/ filtered"):
        rate = results[label]["rps"]
        targets.append(
            Target(f"{label} rate", rate, "req/s", ">= 5% of /healthz",
                   rate >= 0.05 * base["rps"], base["rps"], "/healthz")
        )  # fmt: skip
    errors = sum(rows[label]["errors"] for rows in (results, warm) for label, _p, _h in reads)
    targets.append(Target("errors (reads)", errors, "", "0", errors == 0))
    if submitted is None or invalid is None:
        targets.append(Target("portal submissions", 0, "req/s", ">= 50/s", False))
    else:
        targets.append(
            Target("portal submissions (201)", submitted["rps"], "req/s", ">= 50/s, no error",
                   submitted["rps"] >= 50 and submitted["errors"] == 0, invalid["rps"],
                   "refused POST")
        )  # fmt: skip
    return targets


if __name__ == "__main__":
    main()
