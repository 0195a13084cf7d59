"""Exact query counts of the list and detail pages and endpoints of requests, the directory
and data protection: the same with two items as with six, so an N+1 cannot creep in."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from openimi.directory.members import token_issue
from openimi.exchanges.services import request_act, request_create
from openimi.exchanges.tests.test_workflow import draft_data
from openimi.privacy.models import SubjectRequest
from openimi.privacy.services import subject_request_create
from openimi.tests import queries as counts

# (who, how, path) -> queries. Counted after one warm-up call (the session's first page also
# loads the second-factor device and caches content types, which later pages do not repeat).
EXPECTED = {
    ("de_handler", "web", "exchanges:inbox"): 11,
    ("fr_handler", "web", "exchanges:outbox"): 11,
    ("de_handler", "api", "/api/v1/requests?box=inbox"): 6,
    ("fr_handler", "api", "/api/v1/requests?box=outbox"): 6,
    ("fr_handler", "web", "directory:list"): 14,  # + the countries a handler sends requests from
    ("fr_handler", "web", "directory:detail"): 11,  # (for "Send a request to this authority")
    ("de_handler", "api", "/api/v1/authorities"): 9,
    ("de_handler", "api", "/api/v1/authorities/{fr}"): 8,
    ("fr_admin", "web", "privacy:subject_requests"): 9,
    ("fr_admin", "api", "/api/v1/subject-requests"): 5,
    ("fr_admin", "web", "privacy:audit"): 12,
    ("fr_coordinator", "web", "privacy:audit"): 16,
    ("fr_admin", "api", "/api/v1/audit-log"): 7,
    ("fr_admin", "web", "directory:members"): 14,
    ("fr_coordinator", "web", "exchanges:coordination"): 15,
    ("fr_handler", "web", "web:home"): 13,
    ("fr_coordinator", "web", "directory:list"): 16,
    ("fr_coordinator", "web", "directory:detail"): 13,
    ("de_handler", "api", "/api/v1/authorities/search?q=Paris"): 17,
}
# Pages that show each of the person's exchanges: exact counts that grow by a fixed number
# per exchange, (base, per exchange), each besides the audit entries they write, which are
# (at base, per exchange): the page audits each display, the export audits itself once.
PER_EXCHANGE = {
    ("fr_admin", "web", "privacy:subject_request"): ((14, 1), (0, 1)),
    ("fr_admin", "api", "/api/v1/subject-requests/{sr}/export"): ((10, 6), (1, 0)),
}


def _queries(fn) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = fn()
    assert response.status_code == 200, response.content[:300]
    return len(captured)


@pytest.fixture
def personas(fr_handler, fr_authority, de_authority, de_handler, fr_admin, fr_coordinator):
    return {
        "fr_handler": (fr_handler, fr_authority),
        "de_handler": (de_handler, de_authority),
        "fr_admin": (fr_admin, fr_authority),
        "fr_coordinator": (fr_coordinator, None),
    }


@pytest.mark.parametrize("who,how,path", [*EXPECTED, *PER_EXCHANGE])
def test_lists_and_details_cost_a_fixed_number_of_queries(
    who, how, path, personas, client_for, fr_handler, fr_authority, de_authority, fr_admin
):
    def more(n: int) -> None:
        for _ in range(n):
            r = request_create(actor=fr_handler, requester=fr_authority, data=draft_data(de_authority))
            request_act(actor=fr_handler, request=r, action="submit")
            subject_request_create(actor=fr_admin, authority=fr_authority, kind="access", person_name="Jean Dupont")

    user, authority = personas[who]
    more(2)
    # The first data-subject request: its page lists every request about the person, so it
    # grows with them.
    sr = SubjectRequest.objects.filter(authority=fr_authority).order_by("pk").first()
    if how == "web":
        client = client_for(user)
        args = {
            "directory:detail": [de_authority.pk],
            "directory:members": [fr_authority.pk],
            "privacy:subject_request": [sr.pk],
        }.get(path, [])
        url = reverse(path, args=args)
    else:
        client = Client(HTTP_AUTHORIZATION=f"Bearer {token_issue(actor=user, authority=authority, name='t')[1]}")
        url = path.format(fr=fr_authority.pk, sr=sr.pk)
    _queries(lambda: client.get(url))  # warm-up
    with_two = _queries(lambda: client.get(url))
    more(4)
    with_six = _queries(lambda: client.get(url))
    if (who, how, path) in PER_EXCHANGE:
        (base, each), (audits, audits_each) = PER_EXCHANGE[(who, how, path)]
        base += audits * counts.audit_write()
        each += audits_each * counts.audit_write()
        assert (with_two, with_six) == (base + 2 * each, base + 6 * each)
    else:
        assert (with_two, with_six) == (EXPECTED[(who, how, path)],) * 2
