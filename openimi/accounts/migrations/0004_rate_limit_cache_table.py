"""The database table of the rate-limit counters (CACHES["ratelimit"] in settings), made by
``migrate`` so that no installation can forget ``createcachetable`` and answer every API
request and sign-in with an error. createcachetable skips tables that exist."""

from django.core.management import call_command
from django.db import migrations


def create_cache_tables(apps, schema_editor):
    call_command("createcachetable", database=schema_editor.connection.alias, verbosity=0)


class Migration(migrations.Migration):
    dependencies = [("accounts", "0003_user_notification_mode")]

    operations = [migrations.RunPython(create_cache_tables, migrations.RunPython.noop)]
