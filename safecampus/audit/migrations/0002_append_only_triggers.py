"""Database triggers that make the audit trail append-only.

UPDATE is always refused. DELETE is refused unless a purge permit row exists
whose cutoff is later than the row's time: only the retention job creates one,
inside the same transaction that deletes.

The test suite flushes whole databases between transactional tests. It marks
its own throwaway databases in ``audit_test_database`` (a table with no model,
so a flush leaves it alone); a production database never has a row there, and
anyone able to insert one could drop the triggers as well, so it opens nothing.
"""

from django.db import migrations

MARKER = "CREATE TABLE audit_test_database (marked_at VARCHAR(40) NOT NULL)"

SQLITE = [
    MARKER,
    """CREATE TRIGGER audit_event_no_update BEFORE UPDATE ON audit_auditevent
       BEGIN SELECT RAISE(ABORT, 'audit rows are append-only'); END;""",
    """CREATE TRIGGER audit_event_no_delete BEFORE DELETE ON audit_auditevent
       WHEN NOT EXISTS (SELECT 1 FROM audit_auditpurgepermit p WHERE p.cutoff > OLD.at)
        AND NOT EXISTS (SELECT 1 FROM audit_test_database)
       BEGIN SELECT RAISE(ABORT, 'audit rows are append-only'); END;""",
]
SQLITE_REVERSE = [
    "DROP TRIGGER IF EXISTS audit_event_no_update;",
    "DROP TRIGGER IF EXISTS audit_event_no_delete;",
    "DROP TABLE IF EXISTS audit_test_database;",
]
POSTGRES = [
    MARKER,
    """CREATE OR REPLACE FUNCTION audit_event_guard() RETURNS trigger AS $$
       BEGIN
         IF TG_OP = 'UPDATE' THEN
           RAISE EXCEPTION 'audit rows are append-only';
         END IF;
         IF EXISTS (SELECT 1 FROM audit_test_database) THEN
           RETURN OLD;
         END IF;
         IF TG_OP = 'TRUNCATE' THEN
           RAISE EXCEPTION 'audit rows are append-only';
         END IF;
         IF NOT EXISTS (SELECT 1 FROM audit_auditpurgepermit p WHERE p.cutoff > OLD.at) THEN
           RAISE EXCEPTION 'audit rows are append-only';
         END IF;
         RETURN OLD;
       END; $$ LANGUAGE plpgsql;""",
    """CREATE TRIGGER audit_event_guard BEFORE UPDATE OR DELETE ON audit_auditevent
       FOR EACH ROW EXECUTE FUNCTION audit_event_guard();""",
    """CREATE TRIGGER audit_event_no_truncate BEFORE TRUNCATE ON audit_auditevent
       FOR EACH STATEMENT EXECUTE FUNCTION audit_event_guard();""",
]
POSTGRES_REVERSE = [
    "DROP TRIGGER IF EXISTS audit_event_no_truncate ON audit_auditevent;",
    "DROP TRIGGER IF EXISTS audit_event_guard ON audit_auditevent;",
    "DROP FUNCTION IF EXISTS audit_event_guard();",
    "DROP TABLE IF EXISTS audit_test_database;",
]


def forwards(apps, schema_editor):
    statements = POSTGRES if schema_editor.connection.vendor == "postgresql" else SQLITE
    for sql in statements:
        schema_editor.execute(sql)


def backwards(apps, schema_editor):
    statements = (
        POSTGRES_REVERSE if schema_editor.connection.vendor == "postgresql" else SQLITE_REVERSE
    )
    for sql in statements:
        schema_editor.execute(sql)


def create_head(apps, schema_editor):
    head = apps.get_model("audit", "AuditChainHead").objects.using(schema_editor.connection.alias)
    head.get_or_create(pk=1)


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]
    operations = [
        migrations.RunPython(forwards, backwards),
        migrations.RunPython(create_head, migrations.RunPython.noop),
    ]
