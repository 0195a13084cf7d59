"""The audit chain gets a head row that writers lock, and ``prev_hash`` becomes unique, so two
entries can no longer chain onto the same predecessor (a fork under concurrent writers)."""

from django.db import migrations, models
from django.db.models import Count


def refuse_forked_log(apps, schema_editor):
    AuditEntry = apps.get_model("privacy", "AuditEntry")
    forks = AuditEntry.objects.values("prev_hash").annotate(n=Count("id")).filter(n__gt=1).count()
    if forks:
        raise RuntimeError(
            f"The audit log already forks at {forks} entries (written concurrently before this version). "
            "Archive it (pg_dump of privacy_auditentry), start a new log, then migrate again."
        )


def restore_sqlite_trigger(apps, schema_editor):
    # SQLite alters a column by rebuilding the table, which drops 0002's append-only trigger.
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute(
            "CREATE TRIGGER IF NOT EXISTS privacy_auditentry_no_update BEFORE UPDATE ON privacy_auditentry "
            "BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;"
        )


def start_head(apps, schema_editor):
    AuditEntry = apps.get_model("privacy", "AuditEntry")
    AuditHead = apps.get_model("privacy", "AuditHead")
    last = AuditEntry.objects.order_by("-id").values_list("hash", flat=True).first()
    AuditHead.objects.create(id=1, hash=last or "0" * 64)


class Migration(migrations.Migration):
    dependencies = [
        ("privacy", "0003_data_subject_requests"),
    ]

    operations = [
        migrations.RunPython(refuse_forked_log, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="auditentry",
            name="prev_hash",
            field=models.CharField(max_length=64, unique=True),
        ),
        migrations.RunPython(restore_sqlite_trigger, migrations.RunPython.noop),
        migrations.CreateModel(
            name="AuditHead",
            fields=[
                ("id", models.PositiveSmallIntegerField(default=1, primary_key=True, serialize=False)),
                ("hash", models.CharField(max_length=64)),
            ],
            options={
                "constraints": [models.CheckConstraint(condition=models.Q(("id", 1)), name="audithead_singleton")],
            },
        ),
        migrations.RunPython(start_head, migrations.RunPython.noop),
    ]
