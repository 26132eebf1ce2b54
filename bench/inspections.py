"""make bench-inspections: the hazard register and the district evaluation ranking.

Targets (issue #5): with 1,000 schools and 3 years of inspections, hazards and their
rectification notices, the hazard register page with filters at p95 < 150 ms, and the
district evaluation ranking (``evaluation_ranking``, one year) under 2 s. The register is
measured as bench-web and bench-leads measure pages: under gunicorn (2 sync workers) with the
same load generator and concurrency, the requests going round eight filter combinations,
warm and cold (every cache a miss; the goal holds for the cold row); baseline: /healthz under
the same server and load. The ranking is a function, timed in-process; its baseline is one
``COUNT(*) … GROUP BY school`` over the same year's inspections.

The database is a throwaway SQLite file in a temporary directory, or PostgreSQL when
DATABASE_URL is set (as bench/leads.py). The data comes from the demo generator
(``seed_demo --schools 1000`` then ``seed_demo_inspections --years 3 --no-answers``).
Pages are asked for as the bureau safety officer.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.targets import Target, finish
from bench.web import (
    CONCURRENCY,
    PY,
    ROOT,
    SCHOOLS,
    SECONDS,
    credentials,
    free_port,
    load,
    manage,
    start_gunicorn,
    wait_until_up,
    warm_up,
)

YEARS = int(os.environ.get("BENCH_YEARS", "3"))
RANKING_RUNS = 5
P95_TARGET_MS = 150
RANKING_TARGET_S = 2.0


def _register_paths() -> tuple[str, list[str]]:
    """What is measured for the register, and the filtered URLs (busiest school first)."""
    from django.db.models import Count
    from django.urls import NoReverseMatch, reverse

    from safecampus.inspections.models import Hazard
    from safecampus.organizations.models import Unit

    busiest = (
        Hazard.objects.order_by().values("school_id").annotate(n=Count("id")).order_by("-n")[0]
    )
    code = Unit.objects.get(pk=busiest["school_id"]).code
    try:
        base = reverse("inspections:hazard_list")
    except NoReverseMatch:
        return "orm", []
    year = time.localtime().tm_year
    filters = [
        "",
        "?level=major",
        "?status=rectifying&level=serious",
        f"?school={code}",
        f"?school={code}&status=closed&category=fire",
        "?overdue=on",
        f"?found_from={year - 1}-01-01&found_to={year - 1}-06-30&level=general",
        "?category=technical&status=open",
    ]
    return "page", [base + f for f in filters]


def register_paths() -> list[str]:
    return _register_paths()[1]


def ranking() -> dict:
    """In-process timings of the ranking and its baseline (medians of RANKING_RUNS)."""
    from django.db import connection
    from django.db.models import Count

    from safecampus.accounts.models import User
    from safecampus.inspections.evaluation import current_year, evaluation_ranking, year_bounds
    from safecampus.inspections.models import Hazard, Inspection

    user = User.objects.get(username="safety")
    out: dict = {"hazards": Hazard.objects.count(), "inspections": Inspection.objects.count()}
    year = current_year() - 1  # the last complete year
    start, end = year_bounds(year)
    runs, base = [], []
    for _ in range(RANKING_RUNS):
        began = time.perf_counter()
        scores = evaluation_ranking(user=user, year=year)
        runs.append(time.perf_counter() - began)
        began = time.perf_counter()
        list(
            Inspection.objects.filter(submitted_at__gte=start, submitted_at__lt=end)
            .order_by()
            .values("school_id")
            .annotate(n=Count("id"))
        )
        base.append(time.perf_counter() - began)
    out["ranking_year"], out["ranked"] = year, sum(1 for s in scores if s.rank)
    out["ranking_s"] = round(sorted(runs)[len(runs) // 2], 3)
    out["ranking_baseline_s"] = round(sorted(base)[len(base) // 2], 3)
    out["vendor"] = connection.vendor
    return out


def register(env: dict[str, str], paths: list[str], *, cold: bool) -> tuple[dict, dict]:
    """(/healthz, the register going round ``paths``) under one gunicorn run."""
    session, _token = credentials(env)
    cookie = f"Cookie: sessionid={session}; django_language=zh-hans\\r\\n"
    port = free_port()
    server = start_gunicorn(env, port, cold=cold)
    try:
        wait_until_up(port)
        spread = " ".join(paths)
        warm_up(port, "/healthz", "")
        warm_up(port, spread, cookie, seconds=3, clients=4)
        return load(port, "/healthz", ""), load(port, spread, cookie)
    finally:
        server.terminate()
        server.wait(timeout=10)


def _django(env: dict[str, str], call: str) -> str:
    script = (
        "import django, json; django.setup()\n"
        f"import bench.inspections as b\nprint(json.dumps({call}))"
    )
    result = subprocess.run(
        [PY, "-c", script], cwd=ROOT, env=env, check=True, capture_output=True, text=True
    )
    return result.stdout.strip().splitlines()[-1]


def main() -> None:
    var = tempfile.mkdtemp(prefix="sc-bench-inspections-")
    env = {**os.environ, "SAFECAMPUS_VAR_DIR": var, "DJANGO_SETTINGS_MODULE": "config.settings"}
    print(f"Setting up a {SCHOOLS}-school district with {YEARS} years of inspections in {var} …")
    try:
        started = time.perf_counter()
        manage(env, "migrate", "--noinput")
        manage(env, "seed_demo", "--schools", str(SCHOOLS), "--quiet", "--no-devices")
        print(f"  district seeded in {time.perf_counter() - started:.1f} s", flush=True)
        started = time.perf_counter()
        line = manage(env, "seed_demo_inspections", "--years", str(YEARS), "--no-answers")
        print(f"  {line.strip()} (wall {time.perf_counter() - started:.1f} s)", flush=True)
        paths = json.loads(_django(env, "b.register_paths()"))
        print(f"\n{SECONDS:.0f} s each, {CONCURRENCY} connections, gunicorn 2 sync workers")
        print(f"{'endpoint':<50}{'req/s':>9}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}{'errors':>8}")
        rows = {}
        for cold in (False, True):
            for label, r in zip(
                ("baseline: trivial view /healthz", "/inspections/hazards/, 8 filter sets"),
                register(env, paths, cold=cold) if paths else (),
                strict=False,
            ):
                label += " — cold" if cold else " — warm"
                rows[label] = r
                print(
                    f"{label:<50}{r['rps']:>9}{r['p50']:>9}{r['p95']:>9}{r['p99']:>9}"
                    f"{r['errors']:>8}"
                )
        _report(json.loads(_django(env, "b.ranking()")), rows)
    finally:
        if os.environ.get("BENCH_KEEP"):
            print(f"kept {var} (BENCH_KEEP)")
        else:
            shutil.rmtree(var, ignore_errors=True)


def _report(r: dict, rows: dict[str, dict]) -> None:
    print(f"\n{r['vendor']}: {r['inspections']:,} inspections, {r['hazards']:,} hazards")
    ok_rank = r["ranking_s"] < RANKING_TARGET_S
    print(f"{'measure (median of 5, year ' + str(r['ranking_year']) + ')':<56}{'s':>9}")
    print(f"{'baseline: COUNT(*) GROUP BY school (inspections)':<56}{r['ranking_baseline_s']:>9}")
    print(
        f"{'evaluation_ranking (' + str(r['ranked']) + ' schools ranked)':<56}{r['ranking_s']:>9}"
    )
    targets = [
        Target("evaluation_ranking", r["ranking_s"], "s", f"< {RANKING_TARGET_S} s", ok_rank,
               r["ranking_baseline_s"], "COUNT(*) GROUP BY school"),
    ]  # fmt: skip
    page = rows.get("/inspections/hazards/, 8 filter sets — cold")
    base = rows.get("baseline: trivial view /healthz — cold")
    if page is None or base is None:
        targets.append(Target("hazard register p95 (cold)", 0, "ms", "measured", False))
    else:
        errors = sum(row["errors"] for row in rows.values())
        targets += [
            Target("hazard register p95 (cold)", page["p95"], "ms", f"< {P95_TARGET_MS} ms",
                   page["p95"] < P95_TARGET_MS, base["p95"], "/healthz"),
            Target("errors (all rows)", errors, "", "0", errors == 0),
        ]  # fmt: skip
    finish(targets)


if __name__ == "__main__":
    main()
