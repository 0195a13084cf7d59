"""Latency of the directory API over the demo data set, as a ratio to a single indexed
primary-key lookup measured in the same run. In-process (Django test client, no network),
so it measures OpenIMI's own work: routing, auth, selectors, serialisation.

    .venv/bin/python bench/directory_api.py [--authorities N] [--postgres URL] [--rounds R]
"""

import argparse
import statistics
import time

from _setup import django_with_fresh_database, reset_postgres_database

parser = argparse.ArgumentParser()
parser.add_argument("--authorities", type=int, default=12_600)
parser.add_argument("--postgres")
parser.add_argument("--rounds", type=int, default=200)
args = parser.parse_args()
if args.postgres:
    reset_postgres_database(args.postgres)
url = django_with_fresh_database(args.postgres)

from django.core.management import call_command  # noqa: E402
from django.test import Client  # noqa: E402

from openimi.directory.members import token_issue  # noqa: E402
from openimi.directory.models import Authority  # noqa: E402
from openimi.directory.selectors import authorities_to_act_for  # noqa: E402

call_command("migrate", verbosity=0)
call_command("generate_demo_data", authorities=args.authorities, verbosity=0, stdout=open("/dev/null", "w"))  # noqa: SIM115

from openimi.accounts.models import User  # noqa: E402

user = User.objects.get(email="fr.request-handler@demo.openimi.example")
_token, raw = token_issue(actor=user, authority=authorities_to_act_for(user).first(), name="bench")
client = Client(HTTP_AUTHORIZATION=f"Bearer {raw}", HTTP_ACCEPT_LANGUAGE="fr")
ids = list(Authority.objects.filter(status="active").values_list("pk", flat=True)[:500])


def measure(fn) -> list[float]:
    for _ in range(10):
        fn(0)
    samples = []
    for i in range(args.rounds):
        start = time.perf_counter()
        fn(i)
        samples.append((time.perf_counter() - start) * 1000)
    return samples


def check(response):
    if response.status_code != 200:
        raise SystemExit(f"unexpected {response.status_code}: {response.content[:200]!r}")


cases = {
    "pk lookup (ORM, baseline)": lambda i: Authority.objects.get(pk=ids[i % len(ids)]),
    "GET /authorities (page 1)": lambda i: check(client.get("/api/v1/authorities")),
    "GET /authorities?country=DE": lambda i: check(client.get("/api/v1/authorities", {"country": "DE"})),
    "GET /authorities?legal_area&country": lambda i: check(
        client.get("/api/v1/authorities", {"country": "IT", "legal_area": "professional_qualifications"})
    ),
    "GET /authorities?q=<word>": lambda i: check(client.get("/api/v1/authorities", {"q": "Kammer"})),
    "GET /authorities?page=200": lambda i: check(client.get("/api/v1/authorities", {"page": 200})),
    "GET /authorities/{id}": lambda i: check(client.get(f"/api/v1/authorities/{ids[i % len(ids)]}")),
}
engine = "postgresql" if url.startswith("postgres") else "sqlite"
print(f"directory API on {engine}, {Authority.objects.count():,} authorities, {args.rounds} rounds each")
baseline = None
for name, fn in cases.items():
    samples = measure(fn)
    median = statistics.median(samples)
    p95 = statistics.quantiles(samples, n=20)[18]
    baseline = baseline or median
    print(f"  {name:40s} median {median:7.2f} ms   p95 {p95:7.2f} ms   x{median / baseline:6.1f} of pk lookup")
