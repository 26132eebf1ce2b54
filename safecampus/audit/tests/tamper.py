"""Tampering as someone with file access to the database but not the audit key would."""

from __future__ import annotations

from typing import Any

from django.db import connection


def raw(sql: str, params: Any = ()) -> None:
    """Raw SQL with the audit triggers out of the way (whoever owns the file can drop them).

    Inside the test's transaction, so the triggers are back for the next test.
    """
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE audit_auditevent DISABLE TRIGGER USER")
            cursor.execute(sql, params)
            cursor.execute("ALTER TABLE audit_auditevent ENABLE TRIGGER USER")
        else:
            cursor.execute("DROP TRIGGER IF EXISTS audit_event_no_update")
            cursor.execute("DROP TRIGGER IF EXISTS audit_event_no_delete")
            cursor.execute(sql, params)


def head_row() -> dict[str, Any]:
    """The chain head as stored, every column (what a backup or a dead row version holds)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT last_id, last_hash, count, anchor_id, anchor_hash, seal"
            " FROM audit_auditchainhead WHERE id = 1"
        )
        names = [column[0] for column in cursor.description]
        return dict(zip(names, cursor.fetchone(), strict=True))


def set_head(**columns: Any) -> None:
    """Rewrite columns of the chain head row (it has no trigger: it changes on every write)."""
    assignments = ", ".join(f"{name} = %s" for name in columns)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE audit_auditchainhead SET {assignments} WHERE id = 1",
            list(columns.values()),
        )
