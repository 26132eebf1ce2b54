"""make bench-audit: the cost of one audit row, the write every other write in the app pays.

Appends ``BENCH_AUDIT_ROWS`` (1,000) rows through ``audit_record``, each in its own
transaction as a request's write would be, three times, and prints the median per row;
then verifies the whole trail once. Only the audit app is migrated, into a throwaway
SQLite directory, or into the database of ``DATABASE_URL`` (PostgreSQL; it must hold no
audit rows: the bench adds some and leaves them).
"""

from __future__ import annotations

import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

ROWS = int(os.environ.get("BENCH_AUDIT_ROWS", "1000"))
RUNS = 3


def _append_rows(run: int) -> None:
    from safecampus.audit.services import audit_record

    for i in range(ROWS):
        audit_record(actor=None, action="bench.row.created", changes={"run": run, "n": i})


def _report(label: str, timings: list[float]) -> None:
    per_row = statistics.median(timings) / ROWS * 1e6
    runs = ", ".join(f"{t * 1000:.0f}" for t in timings)
    print(f"  {label}: {per_row:,.0f} µs per row (median of {RUNS} runs of {ROWS:,}: {runs} ms)")


def measure() -> None:
    from django.db import transaction

    from safecampus.audit.services import audit_verify

    # Each row committed on its own (a request's write) is mostly the commit's flush to disk;
    # all rows in one transaction show what the audit code itself costs.
    timings = []
    for run in range(RUNS):
        started = time.perf_counter()
        _append_rows(run)
        timings.append(time.perf_counter() - started)
    _report("audit_record, one transaction per row", timings)
    timings = []
    for run in range(RUNS):
        started = time.perf_counter()
        with transaction.atomic():
            _append_rows(RUNS + run)
        timings.append(time.perf_counter() - started)
    _report("audit_record, all rows in one transaction", timings)
    started = time.perf_counter()
    report = audit_verify()
    elapsed = time.perf_counter() - started
    print(f"  audit_verify: {report.checked:,} rows in {elapsed * 1000:.0f} ms, ok={report.ok}")


def main() -> None:
    var = tempfile.mkdtemp(prefix="sc-bench-audit-")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ["SAFECAMPUS_VAR_DIR"] = var
    database = "PostgreSQL (DATABASE_URL)" if os.environ.get("DATABASE_URL") else f"SQLite in {var}"
    print(f"bench-audit: {ROWS:,} audit rows per run, {database}", flush=True)
    import django

    django.setup()
    from django.core.management import call_command

    try:
        call_command("migrate", "audit", verbosity=0)  # only the audit tables: a quick start
        measure()
    finally:
        shutil.rmtree(var, ignore_errors=True)


if __name__ == "__main__":
    main()
