"""Rate-limit counters in their own table, counted with one statement (lib/ratelimit.py)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0004_rate_limit_cache_table"),
    ]

    operations = [
        # The django-ratelimit database cache table (migration 0004) is no longer used.
        migrations.RunSQL("DROP TABLE IF EXISTS openimi_ratelimit", migrations.RunSQL.noop),
        migrations.CreateModel(
            name="RateCounter",
            fields=[
                ("counter_key", models.CharField(max_length=64, primary_key=True, serialize=False)),
                ("window_end", models.BigIntegerField(db_index=True)),
                ("hits", models.PositiveIntegerField()),
            ],
            options={
                "db_table": "openimi_rate_counter",
            },
        ),
    ]
