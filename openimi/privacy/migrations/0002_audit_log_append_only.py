"""Refuse UPDATE (and, on PostgreSQL, DELETE) of audit rows in the database itself.

SQLite, used for demos and development, gets the UPDATE trigger only: Django's test runner
empties tables with DELETE there. The hash chain detects any removal either way."""

from django.db import migrations

SQLITE_FORWARD = [
    "CREATE TRIGGER privacy_auditentry_no_update BEFORE UPDATE ON privacy_auditentry "
    "BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;",
]
SQLITE_BACKWARD = ["DROP TRIGGER IF EXISTS privacy_auditentry_no_update;"]
POSTGRES_FORWARD = [
    "CREATE OR REPLACE FUNCTION privacy_audit_append_only() RETURNS trigger AS $$ "
    "BEGIN RAISE EXCEPTION 'the audit log is append-only'; END; $$ LANGUAGE plpgsql;",
    "CREATE TRIGGER privacy_auditentry_append_only BEFORE UPDATE OR DELETE ON privacy_auditentry "
    "FOR EACH ROW EXECUTE FUNCTION privacy_audit_append_only();",
]
POSTGRES_BACKWARD = [
    "DROP TRIGGER IF EXISTS privacy_auditentry_append_only ON privacy_auditentry;",
    "DROP FUNCTION IF EXISTS privacy_audit_append_only();",
]


def run(statements_by_vendor):
    def apply(apps, schema_editor):
        for sql in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(sql)

    return apply


class Migration(migrations.Migration):
    dependencies = [("privacy", "0001_audit_log")]

    operations = [
        migrations.RunPython(
            run({"sqlite": SQLITE_FORWARD, "postgresql": POSTGRES_FORWARD}),
            run({"sqlite": SQLITE_BACKWARD, "postgresql": POSTGRES_BACKWARD}),
        )
    ]
