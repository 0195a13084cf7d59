"""Inbox latency with many requests stored (default 1,000,000): the inbox page and the inbox
API of a busy authority (10,000 requests received) and of an ordinary one, median and 95th
percentile, next to a primary-key lookup measured in the same run. In-process (Django test
client), so it measures OpenIMI's own work, not the network.

    .venv/bin/python bench/inbox.py [--requests N] [--postgres URL] [--rounds R]
"""

import argparse
import random
import statistics
import time

from _setup import django_with_fresh_database, reset_postgres_database

parser = argparse.ArgumentParser()
parser.add_argument("--requests", type=int, default=1_000_000)
parser.add_argument("--authorities", type=int, default=12_600)
parser.add_argument("--postgres")
parser.add_argument("--rounds", type=int, default=100)
args = parser.parse_args()
if args.postgres:
    reset_postgres_database(args.postgres)
url = django_with_fresh_database(args.postgres)

import json  # noqa: E402
from pathlib import Path  # noqa: E402

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402

from openimi.accounts.models import User  # noqa: E402
from openimi.directory.members import token_issue  # noqa: E402
from openimi.directory.selectors import authorities_to_act_for  # noqa: E402
from openimi.exchanges.demo import generate_requests  # noqa: E402
from openimi.exchanges.models import InformationRequest  # noqa: E402

call_command("migrate", verbosity=0)
started = time.monotonic()
call_command("generate_demo_data", authorities=args.authorities, requests=0, verbosity=0, stdout=open("/dev/null", "w"))  # noqa: SIM115
names = json.loads((Path(__file__).resolve().parent.parent / "openimi/directory/data/demo_names.json").read_text())
generate_requests(args.requests, rng=random.Random(1), names=names, minimal=True, progress=lambda m: None)
handler = User.objects.get(email="de.request-handler@demo.openimi.example")
home = authorities_to_act_for(handler).first()
busy_ids = list(
    InformationRequest.objects.exclude(requester=home)
    .exclude(requester__country_id="DE")
    .exclude(state="draft")
    .values_list("pk", flat=True)[:10_000]
)
InformationRequest.objects.filter(pk__in=busy_ids).update(responder=home)
if connection.vendor == "postgresql":
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
print(
    f"{InformationRequest.objects.count():,} requests stored on {connection.vendor} "
    f"(set-up {time.monotonic() - started:.0f} s); busy authority receives "
    f"{InformationRequest.objects.filter(responder=home).count():,}"
)

ordinary = User.objects.get(email="pl.request-handler@demo.openimi.example")
clients = {}
for label, user in (("busy", handler), ("ordinary", ordinary)):
    client = Client()
    client.force_login(user)
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.create(user=user, name="bench", confirmed=True)
    session = client.session
    session["otp_device_id"] = device.persistent_id
    session.save()
    _t, raw = token_issue(actor=user, authority=authorities_to_act_for(user).first(), name="bench")
    clients[label] = (client, Client(HTTP_AUTHORIZATION=f"Bearer {raw}"))
ids = list(InformationRequest.objects.values_list("pk", flat=True)[:1000])


def measure(fn):
    for i in range(5):
        fn(i)
    samples = []
    for i in range(args.rounds):
        start = time.perf_counter()
        fn(i)
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples), statistics.quantiles(samples, n=20)[18]


def ok(response):
    if response.status_code != 200:
        raise SystemExit(f"unexpected {response.status_code}")


cases = {"pk lookup (ORM, baseline)": lambda i: InformationRequest.objects.get(pk=ids[i % len(ids)])}
for label, (page, api) in clients.items():
    cases[f"inbox page, {label}"] = lambda i, c=page: ok(c.get("/requests/"))
    cases[f"inbox page, {label}, page 20"] = lambda i, c=page: ok(c.get("/requests/", {"page": 20}))
    cases[f"inbox page, {label}, overdue filter"] = lambda i, c=page: ok(c.get("/requests/", {"overdue": "on"}))
    cases[f"inbox API, {label}"] = lambda i, c=api: ok(c.get("/api/v1/requests", {"box": "inbox"}))
    cases[f"inbox API, {label}, state=closed p.10"] = lambda i, c=api: ok(
        c.get("/api/v1/requests", {"box": "inbox", "state": "closed", "page": 10})
    )
baseline = None
for name, fn in cases.items():
    median, p95 = measure(fn)
    baseline = baseline or median
    print(f"  {name:42s} median {median:8.2f} ms  p95 {p95:8.2f} ms  x{median / baseline:7.1f} of pk lookup")
