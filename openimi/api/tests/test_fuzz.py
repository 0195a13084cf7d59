"""Property-based fuzzing of the whole API from its own OpenAPI document (schemathesis).

Every operation gets valid and invalid inputs (positive and negative modes; the examples,
coverage and fuzzing phases); every answer must be a non-5xx, with a status code, content
type and body that the document declares, and invalid input must be refused. Requests go
through Django's WSGI handler in this process, inside the test's transaction, as a coordinator
whose authority has requests, attachments and neighbours in the directory, so that identifiers
in paths often name real rows instead of always answering 404.

``pytest openimi/api/tests/test_fuzz.py -rA`` shows how many operations and cases ran."""

import os
import time
from collections import Counter

import pytest
import schemathesis
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_schema_conformance,
    status_code_conformance,
)

from openimi.accounts.models import ApiToken
from openimi.directory.members import token_issue
from openimi.exchanges.services import attachment_add, request_act, request_create
from openimi.exchanges.tests.test_workflow import draft_data
from openimi.exchanges.workflow import ACTIONS
from openimi.privacy.services import subject_request_complete, subject_request_create
from openimi.tests.factories import AuthorityFactory, member

# Cases of the coverage phase are built when pytest collects this module, long before the
# test database exists, so the token's secret is fixed in advance and given to a real token
# below. Cases meant to test authentication leave it out or spoil it, as they should.
TOKEN = "oimi_fuzzing-the-api-with-a-known-token-0123"
# One fixed seed: the same cases on every run, so a failure reproduces. To fuzz deeper for a
# while, set OPENIMI_FUZZ_SEED and OPENIMI_FUZZ_EXAMPLES (cases per operation and mode).
SEED = int(os.environ.get("OPENIMI_FUZZ_SEED", "20260314"))
MAX_EXAMPLES = int(os.environ.get("OPENIMI_FUZZ_EXAMPLES", "40"))
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    negative_data_rejection,
]

CONFIG = schemathesis.Config.from_dict(
    {
        "seed": SEED,
        "generation": {"mode": "all", "max-examples": MAX_EXAMPLES, "deterministic": True, "database": "none"},
        "phases": {"stateful": {"enabled": False}},
        "auth": {"openapi": {"TokenAuth": {"bearer": TOKEN}}},
    }
)
schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", get_wsgi_application(), config=CONFIG)

# Identifiers that name real rows in the current test's database, by path parameter.
WORLD: dict = {}


@schema.hook("flatmap_path_parameters")
def real_identifiers(ctx, path_parameters):
    """Mostly swap a generated identifier for one that names a real row; the generated one
    stays among the choices, so unknown identifiers are still tried."""
    if not path_parameters:
        return st.just(path_parameters)
    strategies = {}
    for name, value in path_parameters.items():
        known = WORLD.get("ids", {}).get(name)
        if known and type(value) is type(known[0]):
            strategies[name] = st.sampled_from([value, *known])
        else:
            strategies[name] = st.just(value)
    return st.fixed_dictionaries(strategies)


@pytest.fixture
def fuzz_world(fr_coordinator, fr_coordinator_authority, fr_authority, de_authority, de_handler):
    """Requests in several states to and from the coordinator's authority, with attachments."""
    member(fr_coordinator, fr_coordinator_authority, "request_handler")
    pending = AuthorityFactory(official_name="Chambre des métiers de Lyon", country_id="FR", status="pending")
    suspended = AuthorityFactory(official_name="Ordre suspendu", country_id="FR", status="suspended")
    sent = request_create(actor=fr_coordinator, requester=fr_coordinator_authority, data=draft_data(de_authority))
    sent = request_act(actor=fr_coordinator, request=sent, action="submit")
    draft = request_create(actor=fr_coordinator, requester=fr_coordinator_authority, data=draft_data(de_authority))
    incoming = request_create(actor=de_handler, requester=de_authority, data=draft_data(fr_coordinator_authority))
    incoming = request_act(actor=de_handler, request=incoming, action="submit")
    attachments = [
        attachment_add(
            actor=fr_coordinator,
            request=r,
            upload=SimpleUploadedFile("diploma.pdf", b"%PDF-1.4 test", content_type="application/pdf"),
        ).pk
        for r in (sent, draft)
    ]
    # Data-subject requests of the coordinator's authority: one open, about the person of the
    # requests above, one completed.
    subject_requests = [
        subject_request_create(
            actor=fr_coordinator, authority=fr_coordinator_authority, kind=kind, person_name="Jean Dupont"
        )
        for kind in ("rectification", "access")
    ]
    subject_request_complete(actor=fr_coordinator, subject_request=subject_requests[1], outcome="Answered.")
    token, _raw = token_issue(actor=fr_coordinator, authority=fr_coordinator_authority, name="fuzz")
    ApiToken.objects.filter(pk=token.pk).update(prefix=TOKEN[:12], digest=ApiToken.digest_for(TOKEN))
    # As Django's test client does: the handler would otherwise close the connection after
    # each request, and with it the transaction this test runs in.
    for signal in (request_started, request_finished):
        signal.disconnect(close_old_connections)
    WORLD["ids"] = {
        "authority_id": [a.pk for a in (fr_coordinator_authority, fr_authority, de_authority, pending, suspended)],
        "request_id": [sent.pk, draft.pk, incoming.pk],
        "attachment_id": attachments,
        "subject_request_id": [sr.pk for sr in subject_requests],
        "action": sorted(ACTIONS),
    }
    yield
    for signal in (request_started, request_finished):
        signal.connect(close_old_connections)
    WORLD.clear()


def pytest_generate_tests(metafunc):
    """Name each operation's test after the seed too. Beyond showing what reproduces a failure,
    this gives every operation its own node id: pytest 9 builds node ids from the original
    name and the parametrization only, so schemathesis' per-operation items would otherwise
    share one, and pytest-xdist would run a single operation of them."""
    if metafunc.definition.name == "test_api_answers_every_generated_input_as_documented":
        metafunc.parametrize("seed", [SEED], ids=lambda seed: f"seed={seed}")


class Tally:
    """What the fuzzing did, for the summary below."""

    def __init__(self):
        self.statuses: Counter = Counter()
        self.started: float | None = None

    def record(self, operation: str, status: int) -> None:
        self.started = self.started or time.monotonic()
        self.statuses[(operation, status)] += 1


TALLY = Tally()


@schema.parametrize()
# The world is built once per operation and shared by its cases on purpose: what one case
# changes (a request accepted, an authority suspended) is state the next case starts from.
@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_api_answers_every_generated_input_as_documented(case, fuzz_world, seed):
    response = case.call()
    TALLY.record(case.operation.label, response.status_code)
    case.validate_response(response, checks=CHECKS)


def test_every_documented_operation_was_fuzzed():
    if not TALLY.statuses:
        pytest.skip("runs after the fuzzing above, in the same session")
    documented = {result.ok().label for result in schema.get_all_operations()}
    fuzzed = {operation for operation, _status in TALLY.statuses}
    assert fuzzed == documented
    by_status = Counter()
    for (_operation, status), n in TALLY.statuses.items():
        by_status[status] += n
    print(
        f"API fuzzing: {len(fuzzed)} operations × {sum(by_status.values())} cases "
        f"in {time.monotonic() - TALLY.started:.0f} s; answers: "
        + ", ".join(f"{status}: {n}" for status, n in sorted(by_status.items()))
    )
