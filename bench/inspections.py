"""make bench-inspections: the hazard register and the district evaluation ranking.

Targets (issue #5): with 1,000 schools and 3 years of inspections, hazards and their
rectification notices, the hazard register page with filters at p95 < 150 ms, and the
district evaluation ranking (``evaluation_ranking``, one year) under 2 s. Baselines measured
in the same run: for the register, the same number of requests to a trivial view (/healthz,
the full middleware stack) through the same in-process client; for the ranking, one
``COUNT(*) … GROUP BY school`` over the same year's inspections.

The database is a throwaway SQLite file in a temporary directory, or PostgreSQL when
DATABASE_URL is set (as bench/leads.py). The data comes from the demo generator
(``seed_demo --schools 1000`` then ``seed_demo_inspections --years 3 --no-answers``).
Requests go through Django's test client in one process (no server, no network), as the
bureau safety officer.
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
from bench.web import PY, ROOT, SCHOOLS, manage

YEARS = int(os.environ.get("BENCH_YEARS", "3"))
REQUESTS = int(os.environ.get("BENCH_REQUESTS", "120"))
RANKING_RUNS = 5
P95_TARGET_MS = 150
RANKING_TARGET_S = 2.0


def _client():  # type: ignore[no-untyped-def]
    from django.test import Client
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from safecampus.accounts.models import User

    user = User.objects.get(username="safety")
    client = Client()
    client.force_login(user)
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is not None:
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
    client.cookies["django_language"] = "zh-hans"
    return client, user


def _percentiles(timings: list[float]) -> dict[str, float]:
    timings = sorted(timings)
    return {
        "n": len(timings),
        "p50": round(timings[len(timings) // 2], 1),
        "p95": round(timings[min(len(timings) - 1, int(len(timings) * 0.95))], 1),
    }


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


def measure() -> dict:
    """In-process timings of the register, its baseline, the ranking and its baseline."""
    from django.db import connection
    from django.db.models import Count

    from safecampus.inspections.evaluation import current_year, evaluation_ranking, year_bounds
    from safecampus.inspections.models import Hazard, Inspection

    client, user = _client()
    kind, paths = _register_paths()
    out: dict = {"register_kind": kind, "hazards": Hazard.objects.count()}
    out["inspections"] = Inspection.objects.count()
    timings, baseline = [], []
    if kind == "page":
        for path in paths:  # warm-up: imports, templates, caches
            assert client.get(path).status_code == 200, path
        for i in range(REQUESTS):
            began = time.perf_counter()
            response = client.get(paths[i % len(paths)])
            timings.append((time.perf_counter() - began) * 1000)
            assert response.status_code == 200
        client.get("/healthz")
        for _ in range(REQUESTS):
            began = time.perf_counter()
            client.get("/healthz")
            baseline.append((time.perf_counter() - began) * 1000)
    else:
        levels = ["major", "serious", "general"]
        for i in range(REQUESTS):
            began = time.perf_counter()
            list(
                Hazard.objects.visible_to(user)
                .filter(level=levels[i % 3])
                .select_related("school")[:50]
            )
            timings.append((time.perf_counter() - began) * 1000)
        for _ in range(REQUESTS):
            began = time.perf_counter()
            list(Hazard.objects.all()[:50])
            baseline.append((time.perf_counter() - began) * 1000)
    out["register"], out["register_baseline"] = _percentiles(timings), _percentiles(baseline)
    out["paths"] = paths
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
        _report(json.loads(_django(env, "b.measure()")))
    finally:
        if os.environ.get("BENCH_KEEP"):
            print(f"kept {var} (BENCH_KEEP)")
        else:
            shutil.rmtree(var, ignore_errors=True)


def _report(r: dict) -> None:
    reg, base = r["register"], r["register_baseline"]
    what = (
        "page /inspections/hazards/ with filters"
        if r["register_kind"] == "page"
        else "ORM query Hazard.visible_to().filter(level)[:50]"
    )
    baseline = "trivial view /healthz" if r["register_kind"] == "page" else "Hazard[:50]"
    print(
        f"\n{r['vendor']}: {r['inspections']:,} inspections, {r['hazards']:,} hazards; "
        f"{reg['n']} requests each, in-process test client, bureau safety officer"
    )
    print(f"{'measure':<56}{'p50 ms':>9}{'p95 ms':>9}  target")
    print(f"{'baseline: ' + baseline:<56}{base['p50']:>9}{base['p95']:>9}")
    ok_reg = reg["p95"] < P95_TARGET_MS
    verdict = "PASS" if ok_reg else "FAIL"
    print(f"{what:<56}{reg['p50']:>9}{reg['p95']:>9}  p95 < {P95_TARGET_MS} ms {verdict}")
    ok_rank = r["ranking_s"] < RANKING_TARGET_S
    print(f"\n{'measure (median of 5, year ' + str(r['ranking_year']) + ')':<56}{'s':>9}  target")
    print(f"{'baseline: COUNT(*) GROUP BY school (inspections)':<56}{r['ranking_baseline_s']:>9}")
    print(
        f"{'evaluation_ranking (' + str(r['ranked']) + ' schools ranked)':<56}"
        f"{r['ranking_s']:>9}  < {RANKING_TARGET_S} s {'PASS' if ok_rank else 'FAIL'}"
    )
    finish(
        [
            Target(what, reg["p95"], "ms", f"p95 < {P95_TARGET_MS} ms", ok_reg, base["p95"],
                   baseline),
            Target("evaluation_ranking", r["ranking_s"], "s", f"< {RANKING_TARGET_S} s",
                   ok_rank, r["ranking_baseline_s"], "COUNT(*) GROUP BY school"),
        ]
    )  # fmt: skip


if __name__ == "__main__":
    main()
