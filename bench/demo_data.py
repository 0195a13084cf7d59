"""How long `generate_demo_data` takes on a fresh database (the issue asks for under a minute
at the default size of 12,600 authorities and ~40,000 users).

    .venv/bin/python bench/demo_data.py [--authorities N] [--postgres URL]
"""

import argparse

from _setup import django_with_fresh_database, reset_postgres_database, timed

parser = argparse.ArgumentParser()
parser.add_argument("--authorities", type=int, default=12_600)
parser.add_argument("--postgres", help="e.g. postgres://postgres@127.0.0.1:5432/openimi_bench")
args = parser.parse_args()

if args.postgres:
    reset_postgres_database(args.postgres)
url = django_with_fresh_database(args.postgres)

from django.core.management import call_command  # noqa: E402

from openimi.accounts.models import User  # noqa: E402
from openimi.directory.models import Authority  # noqa: E402

call_command("migrate", verbosity=0)
seconds = timed(
    lambda: call_command("generate_demo_data", authorities=args.authorities, verbosity=0, stdout=open("/dev/null", "w"))
)  # noqa: SIM115
engine = "postgresql" if url.startswith("postgres") else "sqlite"
print(
    f"generate_demo_data on {engine}: {Authority.objects.count():,} authorities, "
    f"{User.objects.count():,} users in {seconds:.1f} s"
)
