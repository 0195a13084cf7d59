"""Data-subject requests and the audit log through the API: the same services as the pages,
scoped to the token's authority."""

import pytest
from django.test import Client

from openimi.directory.members import token_issue
from openimi.exchanges.models import InformationRequest
from openimi.exchanges.services import request_act, request_create
from openimi.exchanges.tests.test_workflow import draft_data
from openimi.privacy.models import ContestMark, SubjectRequest
from openimi.privacy.services import subject_request_create


def api(user, authority) -> Client:
    _token, raw = token_issue(actor=user, authority=authority, name="test")
    return Client(HTTP_AUTHORIZATION=f"Bearer {raw}")


@pytest.fixture
def submitted(fr_handler, fr_authority, de_authority, de_handler):
    r = request_create(actor=fr_handler, requester=fr_authority, data=draft_data(de_authority))
    return request_act(actor=fr_handler, request=r, action="submit")


def test_a_local_administrator_records_exports_rectifies_contests_and_completes(submitted, fr_admin, fr_authority):
    client = api(fr_admin, fr_authority)
    created = client.post(
        "/api/v1/subject-requests",
        {"kind": "rectification", "person_name": "Jean Dupont"},
        content_type="application/json",
    )
    assert created.status_code == 201, created.content
    sr = created.json()
    assert sr["status"] == "open" and sr["due_on"] > sr["received_on"]
    export = client.get(f"/api/v1/subject-requests/{sr['id']}/export").json()
    assert [x["subject"]["identifiers"] for x in export["exchanges"]] == ["ARCH-75-1234"]
    base = f"/api/v1/subject-requests/{sr['id']}/requests/{submitted.pk}"
    stale = client.post(f"{base}/rectify", {"version": 0, "subject_address": "Lyon"}, content_type="application/json")
    assert stale.status_code == 409
    done = client.post(
        f"{base}/rectify", {"version": submitted.version, "subject_address": "Lyon"}, content_type="application/json"
    )
    assert done.status_code == 200 and InformationRequest.objects.get(pk=submitted.pk).subject_address == "Lyon"
    assert client.post(f"{base}/contest", {"reason": "Wrong."}, content_type="application/json").status_code == 201
    assert ContestMark.objects.filter(request=submitted).count() == 1
    complete = client.post(
        f"/api/v1/subject-requests/{sr['id']}/complete", {"outcome": "Answered."}, content_type="application/json"
    )
    assert complete.json()["status"] == "completed"
    listing = client.get("/api/v1/subject-requests").json()
    assert listing["count"] == 1


def test_bad_input_names_the_field(fr_admin, fr_authority):
    response = api(fr_admin, fr_authority).post(
        "/api/v1/subject-requests", {"kind": "gossip", "colour": "red"}, content_type="application/json"
    )
    assert response.status_code == 422
    assert "colour" in str(response.json()["errors"])
    response = api(fr_admin, fr_authority).post(
        "/api/v1/subject-requests", {"kind": "gossip"}, content_type="application/json"
    )
    assert response.status_code == 422
    assert {e["field"] for e in response.json()["errors"]} >= {"kind", "person_name"}
    assert not SubjectRequest.objects.exists()


def test_a_handler_or_another_authority_cannot_reach_them(
    submitted, fr_admin, fr_authority, fr_handler, de_admin, de_authority
):
    sr = subject_request_create(actor=fr_admin, authority=fr_authority, kind="access", person_name="Jean Dupont")
    assert api(fr_handler, fr_authority).get("/api/v1/subject-requests").status_code == 403
    german = api(de_admin, de_authority)
    assert german.get(f"/api/v1/subject-requests/{sr.pk}/export").status_code == 404
    assert german.get("/api/v1/subject-requests").json()["count"] == 0


def test_the_audit_log_is_scoped_to_the_token_s_authority(
    submitted, fr_admin, fr_authority, de_admin, de_authority, de_handler, fr_handler
):
    api(de_handler, de_authority).get(f"/api/v1/requests/{submitted.pk}")  # a German display, logged
    french = api(fr_admin, fr_authority).get("/api/v1/audit-log", {"action": "request."}).json()
    assert french["count"] >= 2 and {e["authority"] for e in french["results"]} == {fr_authority.pk}
    german = api(de_admin, de_authority).get("/api/v1/audit-log").json()
    assert german["count"] >= 1 and {e["authority"] for e in german["results"]} == {de_authority.pk}
    assert "personal_data.view" in {e["action"] for e in german["results"]}
    assert api(fr_handler, fr_authority).get("/api/v1/audit-log").status_code == 403
