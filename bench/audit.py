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


def _report(label: str, timings: list[float], cpu: list[float]) -> None:
    per_row = statistics.median(timings) / ROWS * 1e6
    cpu_per_row = statistics.median(cpu) / ROWS * 1e6
    runs = ", ".join(f"{t * 1000:.0f}" for t in timings)
    print(
        f"  {label}: {per_row:,.0f} µs per row, {cpu_per_row:,.0f} µs of this process's CPU"
        f" (median of {RUNS} runs of {ROWS:,}: {runs} ms)"
    )


def _timed(run: int, *, one_transaction: bool) -> tuple[float, float]:
    from django.db import transaction

    started, cpu = time.perf_counter(), time.process_time()
    if one_transaction:
        with transaction.atomic():
            _append_rows(run)
    else:
        _append_rows(run)
    return time.perf_counter() - started, time.process_time() - cpu


def measure() -> None:
    from safecampus.audit.services import audit_verify

    # Each row committed on its own (a request's write) is mostly the commit's flush to disk;
    # all rows in one transaction show what the audit code itself costs. The CPU time of this
    # process is steadier than the wall clock on a shared machine (for SQLite it includes the
    # database's own work; for PostgreSQL only the client side).
    for label, one_transaction in (("one transaction per row", False), ("one transaction", True)):
        runs = [_timed(run, one_transaction=one_transaction) for run in range(RUNS)]
        _report(f"audit_record, {label}", [r[0] for r in runs], [r[1] for r in runs])
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
