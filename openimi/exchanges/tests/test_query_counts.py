"""Exact query counts of the request pages and endpoints: the same whatever the request's
history (50 events, escalated, referred, forwarded), so an N+1 cannot creep in unseen."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from openimi.directory.members import token_issue
from openimi.directory.models import Authority
from openimi.exchanges.models import InformationRequest
from openimi.exchanges.services import request_act, request_create
from openimi.exchanges.tests.test_workflow import draft_data
from openimi.tests import queries as counts
from openimi.tests.factories import AuthorityFactory, UserFactory, member

HISTORIES = ("accepted", "noisy", "escalated", "referred", "forwarded")


def queries(fn) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = fn()
    assert response.status_code == 200, response.content[:500]
    return len(captured)


@pytest.fixture
def make_history(fr_handler, fr_authority, de_authority, de_handler, de_coordinator):
    def make(kind: str) -> InformationRequest:
        r = request_create(actor=fr_handler, requester=fr_authority, data=draft_data(de_authority))
        r = request_act(actor=fr_handler, request=r, action="submit")
        handler = de_handler
        if kind == "forwarded":
            other = AuthorityFactory(
                country_id="DE", official_name="Architektenkammer Hamburg", areas=["professional_qualifications"]
            )
            handler = UserFactory(language="de")
            member(handler, other, "request_handler")
            r = request_act(
                actor=de_handler, request=r, action="forward", to_authority=other.pk, text="Zuständig ist Hamburg."
            )
        r = request_act(actor=handler, request=r, action="accept")
        if kind == "noisy":
            for i in range(50):
                r = request_act(actor=handler, request=r, action="note", text=f"Note {i}")
        if kind == "escalated":
            InformationRequest.objects.filter(pk=r.pk).update(is_overdue=True, escalated_at=r.updated_at)
        if kind == "referred":
            r = request_act(actor=handler, request=r, action="refer", text="Keine Antwort.")
        return r

    return make


@pytest.mark.parametrize("kind", HISTORIES)
def test_request_detail_page_costs_the_same_whatever_the_history(make_history, client_for, fr_handler, kind):
    r = make_history(kind)
    web = client_for(fr_handler)
    assert queries(lambda: web.get(reverse("exchanges:detail", args=[r.pk]))) == 18 + counts.audit_write()


@pytest.mark.parametrize("kind", HISTORIES)
def test_request_detail_endpoint_costs_the_same_whatever_the_history(make_history, fr_handler, fr_authority, kind):
    r = make_history(kind)
    api = Client(HTTP_AUTHORIZATION=f"Bearer {token_issue(actor=fr_handler, authority=fr_authority, name='t')[1]}")
    assert (
        queries(lambda: api.get(f"/api/v1/requests/{r.pk}")) == 11 + counts.audit_write()
    )  # the rate-limit counter is one of them


@pytest.mark.parametrize("kind", ["escalated", "referred"])
def test_an_involved_coordinator_reads_the_request_in_a_fixed_number_of_queries(
    make_history, client_for, de_coordinator, kind
):
    r = make_history(kind)
    coordinator = client_for(de_coordinator)
    # One fewer than a participant: no documents are listed to a coordinator (no personal data).
    assert queries(lambda: coordinator.get(reverse("exchanges:detail", args=[r.pk]))) == 22


@pytest.mark.parametrize("kind", ["escalated", "referred"])
def test_an_involved_coordinator_reads_the_request_through_the_api_in_a_fixed_number_of_queries(
    make_history, de_coordinator, kind
):
    r = make_history(kind)
    [authority_id] = {m.authority_id for m in de_coordinator.memberships.all()}
    authority = Authority.objects.get(pk=authority_id)
    api = Client(HTTP_AUTHORIZATION=f"Bearer {token_issue(actor=de_coordinator, authority=authority, name='t')[1]}")
    assert queries(lambda: api.get(f"/api/v1/requests/{r.pk}")) == 15


@pytest.mark.parametrize("kind", HISTORIES)
def test_an_action_through_the_api_costs_the_same_whatever_the_history(make_history, fr_handler, fr_authority, kind):
    r = make_history(kind)
    api = Client(HTTP_AUTHORIZATION=f"Bearer {token_issue(actor=fr_handler, authority=fr_authority, name='t')[1]}")
    path = f"/api/v1/requests/{r.pk}/actions/note"
    # The answer is built from the saved row: no re-reading of the questions, messages,
    # timeline or documents, however many there are; the locking query reads the request.
    assert (
        queries(lambda: api.post(path, {"text": "Vu."}, content_type="application/json")) == 10 + counts.audit_write()
    )
