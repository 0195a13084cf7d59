"""Throughput of complete exchanges through the real HTTP API on PostgreSQL with concurrent
clients: create, submit (France), accept, answer (Germany), accept the answer (France).
Compared with a bare Django view doing one INSERT, served by the same gunicorn in the same run.

    .venv/bin/python bench/exchange_throughput.py --postgres postgres://postgres@127.0.0.1:5432/openimi_bench \\
        [--clients 8] [--workers 4] [--seconds 20]
"""

import argparse
import datetime
import json
import os
import socket
import subprocess
import sys
import threading
import time
import urllib.request

from _setup import ROOT, reset_postgres_database

parser = argparse.ArgumentParser()
parser.add_argument("--postgres", required=True)
parser.add_argument("--clients", type=int, default=8)
parser.add_argument("--workers", type=int, default=4)
parser.add_argument("--seconds", type=float, default=20)
args = parser.parse_args()

reset_postgres_database(args.postgres)
os.environ.update(DATABASE_URL=args.postgres, DJANGO_SETTINGS_MODULE="bench.settings", DEBUG="0")
sys.path.insert(0, str(ROOT))
import django  # noqa: E402

django.setup()
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402

from openimi.directory.members import token_issue  # noqa: E402
from openimi.tests.factories import AuthorityFactory, UserFactory, member  # noqa: E402

call_command("migrate", verbosity=0)
with connection.cursor() as cursor:
    cursor.execute("CREATE TABLE bench_insert (id bigserial PRIMARY KEY, at timestamptz)")
pairs = []
for i in range(args.clients):
    fr = AuthorityFactory(country_id="FR", official_name=f"Requester {i}", areas=["general_cooperation"])
    de = AuthorityFactory(country_id="DE", official_name=f"Responder {i}", areas=["general_cooperation"])
    fr_user, de_user = UserFactory(), UserFactory()
    member(fr_user, fr, "request_handler")
    member(de_user, de, "request_handler")
    pairs.append(
        (
            token_issue(actor=fr_user, authority=fr, name="b")[1],
            token_issue(actor=de_user, authority=de, name="b")[1],
            de.pk,
        )
    )
connection.close()

with socket.socket() as s:
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
server = subprocess.Popen(  # noqa: S603 - our own gunicorn, fixed arguments
    [
        str(ROOT / ".venv/bin/gunicorn"),
        "bench.wsgi:application",
        "--chdir",
        str(ROOT),
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(args.workers),
        "--log-level",
        "warning",
    ],
    env=os.environ | {"PYTHONPATH": str(ROOT)},
)
base = f"http://127.0.0.1:{port}"
for _ in range(100):
    try:
        urllib.request.urlopen(base + "/healthz", timeout=1)  # noqa: S310 - loopback
        break
    except OSError:
        time.sleep(0.2)


def call(method, path, token=None, body=None):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(base + path, data=data, method=method)  # noqa: S310 - loopback
    req.add_header("Content-Type", "application/json")
    if token:
        req.add_header("Authorization", f"Bearer {token}")
    with urllib.request.urlopen(req, timeout=30) as response:  # noqa: S310
        return json.loads(response.read() or b"null") if "json" in response.headers.get("Content-Type", "") else None


reply_by = (datetime.datetime.now(datetime.UTC).date() + datetime.timedelta(days=20)).isoformat()


def draft(de_id):
    return {
        "legal_area": "general_cooperation",
        "responder": de_id,
        "subject_name": "Bench Subject",
        "questions": ["information_available"],
        "reply_by": reply_by,
    }


def exchange(fr_token, de_token, de_id):
    r = call("POST", "/api/v1/requests", fr_token, draft(de_id))
    rid = r["id"]
    call("POST", f"/api/v1/requests/{rid}/actions/submit", fr_token, {})
    call("POST", f"/api/v1/requests/{rid}/actions/accept", de_token, {})
    call("POST", f"/api/v1/requests/{rid}/actions/answer", de_token, {"answers": {"information_available": "yes"}})
    call("POST", f"/api/v1/requests/{rid}/actions/accept_answer", fr_token, {"rating_timeliness": 5})


def insert(*_):
    call("POST", "/bench/insert")


def run(work, label):
    counts = [0] * args.clients
    stop = time.monotonic() + args.seconds

    def loop(i):
        while time.monotonic() < stop:
            work(*pairs[i])
            counts[i] += 1

    threads = [threading.Thread(target=loop, args=(i,)) for i in range(args.clients)]
    start = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    rate = sum(counts) / (time.monotonic() - start)
    print(f"  {label:42s} {rate:8.1f} /s")
    return rate


try:
    print(f"PostgreSQL, gunicorn {args.workers} workers, {args.clients} concurrent clients, {args.seconds:.0f} s each")
    run(insert, "warm-up")
    baseline = run(insert, "bare view, one INSERT")
    exchanges = run(exchange, "full exchanges (5 API calls each)")
    print(
        f"  ratio: {exchanges / baseline:.3f} exchanges per bare insert; "
        f"{5 * exchanges / baseline:.3f} API actions per bare insert"
    )
finally:
    server.terminate()
    server.wait(timeout=10)

# The same five calls once more, in this process, counting the queries each one makes.
from django.db import connection as db  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from openimi.privacy.audit import verify  # noqa: E402

client = Client(HTTP_HOST="127.0.0.1")
fr_token, de_token, de_id = pairs[0]


def counted(method, path, token, body):
    with CaptureQueriesContext(db) as queries:
        if method == "get":
            response = client.get(path, HTTP_AUTHORIZATION=f"Bearer {token}")
        else:
            response = client.post(
                path, data=json.dumps(body), content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {token}"
            )
    if response.status_code >= 300:
        raise SystemExit(f"{path}: {response.status_code} {response.content[:300]!r}")
    return response.json(), len(queries)


created, n_create = counted("post", "/api/v1/requests", fr_token, draft(de_id))
rid = created["id"]
steps = [("create", n_create)]
for action, token, body in [
    ("submit", fr_token, {}),
    ("accept", de_token, {}),
    ("answer", de_token, {"answers": {"information_available": "yes"}}),
    ("accept_answer", fr_token, {"rating_timeliness": 5}),
]:
    steps.append((action, counted("post", f"/api/v1/requests/{rid}/actions/{action}", token, body)[1]))
steps.append(("detail", counted("get", f"/api/v1/requests/{rid}", fr_token, None)[1]))
print("  queries per call: " + ", ".join(f"{name} {n}" for name, n in steps))
print(f"  queries per action (mean of the 5 writes): {sum(n for _, n in steps[:5]) / 5:.1f}")
report = verify()
state = "intact" if report.broken_at is None and report.tail_intact else f"BROKEN at entry {report.broken_at}"
print(f"  audit_verify: {state}, {report.checked} entries")
