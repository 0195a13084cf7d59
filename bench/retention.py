"""Retention over many exchanges (default 1,000,000): time to block and delete personal data
as due, then a second run that must find nothing (idempotent).

    .venv/bin/python bench/retention.py [--requests N] [--postgres URL]
"""

import argparse
import datetime
import json
import random
import time
from pathlib import Path

from _setup import django_with_fresh_database, reset_postgres_database

parser = argparse.ArgumentParser()
parser.add_argument("--requests", type=int, default=1_000_000)
parser.add_argument("--postgres")
args = parser.parse_args()
if args.postgres:
    reset_postgres_database(args.postgres)
url = django_with_fresh_database(args.postgres)

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.db.models import F  # noqa: E402

from openimi.exchanges.demo import generate_requests  # noqa: E402
from openimi.exchanges.models import InformationRequest  # noqa: E402
from openimi.privacy.retention import apply_retention  # noqa: E402

call_command("migrate", verbosity=0)
call_command("generate_demo_data", authorities=2000, requests=0, verbosity=0, stdout=open("/dev/null", "w"))  # noqa: SIM115
names = json.loads((Path(__file__).resolve().parent.parent / "openimi/directory/data/demo_names.json").read_text())
started = time.monotonic()
generate_requests(args.requests, rng=random.Random(3), names=names, minimal=True, progress=lambda m: None)
# The demo spreads closures over three years; age a quarter of them by three more, so that
# deletion has work to do too.
quarter = InformationRequest.objects.order_by("-pk").values_list("pk", flat=True).first() // 4
InformationRequest.objects.filter(pk__lte=quarter, state="closed").update(
    closed_at=F("closed_at") - datetime.timedelta(days=3 * 365)
)
if connection.vendor == "postgresql":
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
total = InformationRequest.objects.count()
ended = InformationRequest.objects.filter(state__in=["closed", "withdrawn"]).count()
print(
    f"{total:,} exchanges on {connection.vendor} ({ended:,} closed or withdrawn; set-up "
    f"{time.monotonic() - started:.0f} s)"
)
for label in ("first run", "second run (nothing left to do)"):
    start = time.perf_counter()
    result = apply_retention()
    seconds = time.perf_counter() - start
    print(f"  {label:34s} blocked {result['blocked']:>9,}  deleted {result['deleted']:>9,}  in {seconds:6.1f} s")
