"""Cutting the trail at either end, forging a purge permit, or marking a production database.

Each attack is done as someone with file access to the database and no audit key would do
it: raw SQL, triggers dropped where that helps. Each is found by ``audit_verify``.
"""

from __future__ import annotations

import json
from datetime import timedelta
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction
from django.utils import timezone, translation

from safecampus.audit.models import AuditChainHead, AuditEvent, AuditPurgePermit
from safecampus.audit.services import (
    GENESIS,
    HEAD_FORGED,
    PURGED,
    audit_checkpoint,
    audit_purge,
    audit_record,
    audit_verify,
    head_seal_ok,
)
from safecampus.audit.tasks import audit_checkpoint_task
from safecampus.audit.tests.tamper import head_row, raw, set_head


def _rows(actor, n):
    return [
        audit_record(actor=actor, action="tests.thing.created", changes={"n": i}) for i in range(n)
    ]


def _kinds(report):
    return [(finding.kind, finding.row_id) for finding in report.findings]


def _cut_the_end(actor, *, rows, kept):
    """Delete all but the first ``kept`` rows and point the head at the last one kept."""
    last = _rows(actor, rows)[kept - 1]
    raw("DELETE FROM audit_auditevent WHERE id > %s", [last.pk])
    set_head(last_id=last.pk, last_hash=last.row_hash, count=kept)
    return last


@pytest.mark.django_db
def test_cutting_the_end_and_rewriting_the_head_is_detected(safety_officer):
    """Attack 1: the last rows deleted, the head's last_id, last_hash and count rewritten."""
    _cut_the_end(safety_officer, rows=60, kept=10)
    report = audit_verify()
    assert report.checked == 10
    assert _kinds(report) == [("head_unsigned", None)]


@pytest.mark.django_db
def test_the_next_write_keeps_a_forged_head_on_record_instead_of_signing_it(safety_officer):
    kept = _cut_the_end(safety_officer, rows=20, kept=10)
    after = audit_record(actor=safety_officer, action="tests.thing.created")
    forged = AuditEvent.objects.get(action=HEAD_FORGED)
    assert (forged.prev_hash, after.prev_hash) == (kept.row_hash, forged.row_hash)
    assert (forged.changes["last_id"], forged.changes["count"]) == (kept.pk, 10)
    assert head_seal_ok(AuditChainHead.objects.get(pk=1))
    with translation.override("en"):
        report = audit_verify()
    assert _kinds(report) == [("head_forged", forged.pk)]
    assert report.findings[0].message == (
        "The chain head had been changed outside the application when this row was written "
        f"(it said: last row {kept.pk}, 10 rows)."
    )


@pytest.mark.django_db
def test_cutting_the_start_and_moving_the_anchor_is_detected(safety_officer):
    """Attack 2: the first rows deleted, the head's anchor set to what the next row follows."""
    events = _rows(safety_officer, 60)
    first_kept = events[50]
    raw("DELETE FROM audit_auditevent WHERE id < %s", [first_kept.pk])
    set_head(anchor_id=events[49].pk, anchor_hash=first_kept.prev_hash, count=10)
    report = audit_verify()
    assert report.checked == 10
    assert _kinds(report) == [("start", first_kept.pk), ("head_unsigned", None)]


@pytest.mark.django_db
def test_a_forged_purge_permit_lets_a_delete_through_and_both_are_reported(
    safety_officer, production_guard
):
    """Attack 3: a permit row inserted by hand; the triggers are not touched."""
    events = _rows(safety_officer, 10)
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_auditevent WHERE id <= %s", [events[4].pk])
    future = timezone.now() + timedelta(days=1)
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO audit_auditpurgepermit (cutoff, up_to_id, up_to_hash, issued_at, seal)"
            " VALUES (%s, %s, '', %s, %s)",
            [future, events[7].pk, future, "0" * 64],
        )
        cursor.execute(
            "DELETE FROM audit_auditevent WHERE id <= %s OR id = %s",
            [events[4].pk, events[7].pk],
        )
    permit = AuditPurgePermit.objects.get()
    report = audit_verify()
    assert report.checked == 4
    assert _kinds(report) == [
        ("start", events[5].pk),
        ("link", events[8].pk),
        ("count", None),
        ("anchor", events[5].pk),
        ("permit", permit.up_to_id),
    ]


@pytest.mark.django_db
def test_the_test_marker_opens_nothing_in_a_production_database(production_database):
    """Attack 3: the flush marker of the test suite, inserted into a production database."""
    assert "audit_test_database" not in production_database.introspection.table_names()
    with production_database.cursor() as cursor:
        cursor.execute(
            "INSERT INTO audit_auditevent (at, actor_label, action, object_type, object_id,"
            " object_repr, changes, result, remote_addr, prev_hash, row_hash)"
            " VALUES (%s, '', 'tests.thing.created', '', '', '', '{}', 'success', '', %s, %s)",
            [timezone.now() - timedelta(days=400), GENESIS, "a" * 64],
        )
        cursor.execute("CREATE TABLE audit_test_database (marked_at VARCHAR(40) NOT NULL)")
        cursor.execute("INSERT INTO audit_test_database (marked_at) VALUES ('pytest')")
    attempts = ["DELETE FROM audit_auditevent", "UPDATE audit_auditevent SET action = 'x'"]
    if production_database.vendor == "postgresql":
        attempts.append("TRUNCATE audit_auditevent")
    for sql in attempts:
        with pytest.raises(DatabaseError), production_database.cursor() as cursor:
            cursor.execute(sql)
    with production_database.cursor() as cursor:
        cursor.execute("SELECT action FROM audit_auditevent")
        assert cursor.fetchall() == [("tests.thing.created",)]


@pytest.mark.django_db
def test_permits_can_be_neither_changed_nor_deleted(safety_officer, production_guard):
    start = timezone.now()
    with time_machine.travel(start - timedelta(days=200), tick=False):
        _rows(safety_officer, 2)
    audit_purge(now=start)
    for sql in [
        "UPDATE audit_auditpurgepermit SET up_to_id = 999999",
        "DELETE FROM audit_auditpurgepermit",
    ]:
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql)
    assert AuditPurgePermit.objects.count() == 1


@pytest.mark.django_db
def test_retention_purges_are_signed_checkpoints_and_verify_intact(
    safety_officer, production_guard
):
    start = timezone.now()
    with time_machine.travel(start - timedelta(days=300), tick=False):
        oldest = _rows(safety_officer, 3)
    with time_machine.travel(start - timedelta(days=200), tick=False):
        old = _rows(safety_officer, 2)
    with time_machine.travel(start - timedelta(days=100), tick=False):
        assert audit_purge() == 3
    first_purge = AuditEvent.objects.get(action=PURGED)
    assert audit_verify().ok
    with time_machine.travel(start - timedelta(days=50), tick=False):
        recent = _rows(safety_officer, 2)
    with time_machine.travel(start + timedelta(days=95), tick=False):
        assert audit_purge() == 3  # the two old rows and the first purge's own row
    purge = AuditEvent.objects.get(action=PURGED)
    report = audit_verify()
    assert (report.ok, report.checked) == (True, 3)
    remaining = list(AuditEvent.objects.order_by("id").values_list("pk", flat=True))
    assert remaining == [recent[0].pk, recent[1].pk, purge.pk]
    assert {k: v for k, v in purge.changes.items() if k != "cutoff"} == {
        "first_id": old[0].pk,
        "last_id": first_purge.pk,
        "last_hash": first_purge.row_hash,
        "rows": 3,
        "permit": AuditPurgePermit.objects.order_by("id").last().pk,
    }
    permits = AuditPurgePermit.objects.order_by("id").values_list("up_to_id", flat=True)
    assert list(permits) == [oldest[-1].pk, first_purge.pk]
    head = AuditChainHead.objects.get(pk=1)
    assert (head.anchor_id, head.anchor_hash, head.count) == (
        first_purge.pk,
        recent[0].prev_hash,
        3,
    )


@pytest.mark.django_db
def test_an_older_signed_head_put_back_is_caught_by_the_external_checkpoint(
    safety_officer, tmp_path
):
    """The cut the database alone cannot show: an earlier signed head restored after it."""
    path = tmp_path / "checkpoints.jsonl"
    _rows(safety_officer, 10)
    earlier = head_row()
    events = _rows(safety_officer, 10)
    checkpoint = audit_checkpoint(path=path)
    assert checkpoint["last_id"] == events[-1].pk
    raw("DELETE FROM audit_auditevent WHERE id >= %s", [events[0].pk])
    set_head(**earlier)
    assert audit_verify().ok  # what the database holds is consistent and signed
    report = audit_verify(checkpoint_file=path)
    assert report.checkpoints == 1
    assert _kinds(report) == [("checkpoint_end", events[-1].pk)]
    err = StringIO()
    with translation.override("en"), pytest.raises(SystemExit) as exit_info:
        call_command("audit_verify", "--checkpoint-file", str(path), stderr=err)
    assert exit_info.value.code == 1
    assert err.getvalue().splitlines() == [
        f"row {events[-1].pk}: Rows at the end are missing: the checkpoint of {checkpoint['at']} "
        f"recorded row {events[-1].pk}, the trail ends at row {events[0].pk - 1}.",
        "Audit chain BROKEN: 1 finding, 10 rows read. 1 external checkpoint compared.",
    ]


@pytest.mark.django_db
def test_checkpoints_forged_missing_or_disagreeing_are_reported(safety_officer, tmp_path):
    path = tmp_path / "checkpoints.jsonl"
    events = _rows(safety_officer, 3)
    assert _kinds(audit_verify(checkpoint_file=path)) == [("checkpoint_file", None)]
    audit_checkpoint(path=path)
    forged = {**json.loads(path.read_text()), "last_id": events[1].pk, "last_hash": "b" * 64}
    with path.open("a") as file:
        file.write(json.dumps(forged) + "\n")
    raw("UPDATE audit_auditevent SET row_hash = %s WHERE id = %s", ["c" * 64, events[2].pk])
    assert _kinds(audit_verify(checkpoint_file=path)) == [
        ("hash", events[2].pk),
        ("end", events[2].pk),
        ("checkpoint_unsigned", None),
        ("checkpoint_mismatch", events[2].pk),
    ]


@pytest.mark.django_db
def test_the_periodic_task_appends_a_signed_head(safety_officer, settings, tmp_path):
    settings.AUDIT_CHECKPOINT_FILE = tmp_path / "audit" / "checkpoints.jsonl"
    events = _rows(safety_officer, 2)
    assert audit_checkpoint_task.call_local() == events[-1].pk
    assert audit_checkpoint_task.call_local() == events[-1].pk
    lines = settings.AUDIT_CHECKPOINT_FILE.read_text().splitlines()
    assert [json.loads(line)["last_id"] for line in lines] == [events[-1].pk] * 2
    report = audit_verify(checkpoint_file=settings.AUDIT_CHECKPOINT_FILE)
    assert (report.ok, report.checkpoints) == (True, 2)


@pytest.mark.django_db
def test_the_command_lists_every_break(safety_officer):
    events = _rows(safety_officer, 8)
    raw("UPDATE audit_auditevent SET object_repr = 'x' WHERE id = %s", [events[1].pk])
    raw("DELETE FROM audit_auditevent WHERE id IN (%s, %s)", [events[4].pk, events[7].pk])
    err = StringIO()
    with translation.override("en"), pytest.raises(SystemExit) as exit_info:
        call_command("audit_verify", stderr=err)
    assert exit_info.value.code == 1
    assert err.getvalue().splitlines() == [
        f"row {events[1].pk}: The row's content does not match its hash.",
        f"row {events[5].pk}: Rows before this one were removed or inserted.",
        f"row {events[7].pk}: Rows at the end are missing: the chain head records row "
        f"{events[7].pk}, the trail ends at row {events[6].pk}.",
        "trail: The chain head counts 8 rows, the trail holds 6.",
        "Audit chain BROKEN: 4 findings, 6 rows read.",
    ]


@pytest.mark.django_db(transaction=True)
def test_a_throwaway_test_database_can_still_be_flushed(safety_officer):
    """The flush after this test deletes rows and permits: the marker works where it should."""
    start = timezone.now()
    with time_machine.travel(start - timedelta(days=200), tick=False):
        _rows(safety_officer, 2)
    assert audit_purge(now=start) == 2
    assert AuditPurgePermit.objects.count() == 1


@pytest.mark.django_db
def test_rows_appended_while_verifying_are_read_not_reported(safety_officer, monkeypatch):
    from safecampus.audit import services

    _rows(safety_officer, 3)
    real_visit, appended = services._Walk.visit, []

    def visit_while_writing(walk, event):
        real_visit(walk, event)
        if len(appended) < 2:  # another request writes while the walk is under way
            appended.append(audit_record(actor=safety_officer, action="tests.thing.created"))

    monkeypatch.setattr(services._Walk, "visit", visit_while_writing)
    report = audit_verify()
    assert (report.ok, report.checked) == (True, 5)
