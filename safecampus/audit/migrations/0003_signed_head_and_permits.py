"""Signed chain head and purge permits; the test-database marker opens nothing in production.

The delete trigger now also bounds a permit to the rows it names (``up_to_id``), and the
permits themselves can be neither changed nor deleted. A trigger cannot check a keyed seal,
so ``audit_verify`` does: an unsigned permit, and the cut it let through, are reported.

The flush marker (``audit_test_database``) is honoured only in a throwaway database that
Django's test runner created (SQLite in memory, a PostgreSQL name starting ``test_``): the
triggers of any other database are built without it and the table is dropped, so inserting
a marker row into a production database changes nothing.
"""

import importlib

from django.db import migrations, models

SQLITE_FLUSH = " AND NOT EXISTS (SELECT 1 FROM audit_test_database)"
PERMIT_CHECK = "p.cutoff > OLD.at AND p.up_to_id >= OLD.id"


def _throwaway(connection) -> bool:
    if connection.vendor == "sqlite":
        return connection.is_in_memory_db()
    return str(connection.settings_dict["NAME"]).startswith("test_")


def _sqlite(flush: bool) -> list[str]:
    marker = SQLITE_FLUSH if flush else ""
    permit_when = "WHEN NOT EXISTS (SELECT 1 FROM audit_test_database)" if flush else ""
    return [
        "DROP TRIGGER IF EXISTS audit_event_no_delete",
        # Built from the constants above only; nothing from outside reaches these statements.
        f"""CREATE TRIGGER audit_event_no_delete BEFORE DELETE ON audit_auditevent
            WHEN NOT EXISTS (SELECT 1 FROM audit_auditpurgepermit p WHERE {PERMIT_CHECK}){marker}
            BEGIN SELECT RAISE(ABORT, 'audit rows are append-only'); END;""",  # noqa: S608
        """CREATE TRIGGER audit_permit_no_update BEFORE UPDATE ON audit_auditpurgepermit
           BEGIN SELECT RAISE(ABORT, 'audit purge permits are append-only'); END;""",
        f"""CREATE TRIGGER audit_permit_no_delete BEFORE DELETE ON audit_auditpurgepermit
            {permit_when}
            BEGIN SELECT RAISE(ABORT, 'audit purge permits are append-only'); END;""",
    ]


def _postgres(flush: bool) -> list[str]:
    event_flush = "IF EXISTS (SELECT 1 FROM audit_test_database) THEN RETURN OLD; END IF;"
    permit_flush = (
        "IF TG_OP <> 'UPDATE' AND EXISTS (SELECT 1 FROM audit_test_database) THEN"
        " RETURN OLD; END IF;"
    )
    return [
        f"""CREATE OR REPLACE FUNCTION audit_event_guard() RETURNS trigger AS $$
           BEGIN
             IF TG_OP = 'UPDATE' THEN
               RAISE EXCEPTION 'audit rows are append-only';
             END IF;
             {event_flush if flush else ""}
             IF TG_OP = 'TRUNCATE' THEN
               RAISE EXCEPTION 'audit rows are append-only';
             END IF;
             IF NOT EXISTS (SELECT 1 FROM audit_auditpurgepermit p WHERE {PERMIT_CHECK}) THEN
               RAISE EXCEPTION 'audit rows are append-only';
             END IF;
             RETURN OLD;
           END; $$ LANGUAGE plpgsql;""",  # noqa: S608
        f"""CREATE OR REPLACE FUNCTION audit_permit_guard() RETURNS trigger AS $$
           BEGIN
             {permit_flush if flush else ""}
             RAISE EXCEPTION 'audit purge permits are append-only';
           END; $$ LANGUAGE plpgsql;""",
        """CREATE TRIGGER audit_permit_guard BEFORE UPDATE OR DELETE ON audit_auditpurgepermit
           FOR EACH ROW EXECUTE FUNCTION audit_permit_guard();""",
        """CREATE TRIGGER audit_permit_no_truncate BEFORE TRUNCATE ON audit_auditpurgepermit
           FOR EACH STATEMENT EXECUTE FUNCTION audit_permit_guard();""",
    ]


def forwards(apps, schema_editor):
    connection = schema_editor.connection
    flush = _throwaway(connection)
    build = _postgres if connection.vendor == "postgresql" else _sqlite
    for sql in build(flush):
        schema_editor.execute(sql)
    if not flush:
        schema_editor.execute("DROP TABLE IF EXISTS audit_test_database")


def backwards(apps, schema_editor):
    previous = importlib.import_module("safecampus.audit.migrations.0002_append_only_triggers")
    marker = previous.MARKER.replace("CREATE TABLE", "CREATE TABLE IF NOT EXISTS")
    if schema_editor.connection.vendor == "postgresql":
        statements = [
            "DROP TRIGGER IF EXISTS audit_permit_no_truncate ON audit_auditpurgepermit",
            "DROP TRIGGER IF EXISTS audit_permit_guard ON audit_auditpurgepermit",
            "DROP FUNCTION IF EXISTS audit_permit_guard()",
            marker,
            previous.POSTGRES[1],
        ]
    else:
        statements = [
            "DROP TRIGGER IF EXISTS audit_permit_no_update",
            "DROP TRIGGER IF EXISTS audit_permit_no_delete",
            "DROP TRIGGER IF EXISTS audit_event_no_delete",
            marker,
            previous.SQLITE[2],
        ]
    for sql in statements:
        schema_editor.execute(sql)


def drop_sqlite_guard(apps, schema_editor):
    """SQLite rebuilds a table to add columns, and a trigger naming the table stops that."""
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute("DROP TRIGGER IF EXISTS audit_event_no_delete")


def seal_head(apps, schema_editor):
    """An existing trail gets its head signed now, with the key of the running settings."""
    from safecampus.audit.services import head_seal, head_seal_ok

    heads = apps.get_model("audit", "AuditChainHead").objects.using(schema_editor.connection.alias)
    head = heads.filter(pk=1).first()
    if head is not None and not head_seal_ok(head):
        head.seal = head_seal(head)
        head.save(update_fields=["seal"])


class Migration(migrations.Migration):
    dependencies = [("audit", "0002_append_only_triggers")]

    operations = [
        migrations.RunPython(drop_sqlite_guard, migrations.RunPython.noop),
        migrations.AddField(
            model_name="auditchainhead",
            name="seal",
            field=models.CharField(blank=True, default="", max_length=64),
        ),
        migrations.AddField(
            model_name="auditpurgepermit",
            name="issued_at",
            field=models.DateTimeField(null=True),
        ),
        migrations.AddField(
            model_name="auditpurgepermit",
            name="seal",
            field=models.CharField(default="", max_length=64),
        ),
        migrations.AddField(
            model_name="auditpurgepermit",
            name="up_to_hash",
            field=models.CharField(default="", max_length=64),
        ),
        migrations.AddField(
            model_name="auditpurgepermit",
            name="up_to_id",
            field=models.BigIntegerField(default=0),
        ),
        migrations.RunPython(forwards, backwards),
        migrations.RunPython(seal_head, migrations.RunPython.noop),
    ]
