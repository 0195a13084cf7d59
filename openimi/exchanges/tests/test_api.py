"""Information requests through the API: the same workflow, JSON errors naming the problem."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from openimi.directory.members import token_issue
from openimi.exchanges.models import InformationRequest, State
from openimi.exchanges.workflow import ACTIONS
from openimi.tests.factories import AuthorityFactory, UserFactory, member

REPLY_BY = (timezone.localdate() + datetime.timedelta(days=20)).isoformat()


def api(user, authority) -> Client:
    _token, raw = token_issue(actor=user, authority=authority, name="back office")
    return Client(HTTP_AUTHORIZATION=f"Bearer {raw}")


@pytest.fixture
def fr_api(fr_handler, fr_authority):
    return api(fr_handler, fr_authority)


@pytest.fixture
def de_api(de_handler, de_authority):
    return api(de_handler, de_authority)


def post(client, url, body=None, **extra):
    return client.post(url, body or {}, content_type="application/json", **extra)


def create(fr_api, de_authority, **overrides):
    body = {
        "legal_area": "professional_qualifications",
        "question_set": "professional_qualifications",
        "responder": de_authority.pk,
        "subject_name": "Jean Dupont",
        "questions": ["diploma_authentic"],
        "free_text": "Bonjour",
        "free_text_language": "fr",
        "reply_by": REPLY_BY,
    }
    body.update(overrides)
    return post(fr_api, "/api/v1/requests", body)


def test_a_request_travels_from_france_to_germany_and_back(fr_api, de_api, de_authority):
    response = create(fr_api, de_authority)
    assert response.status_code == 201, response.content
    rid = response.json()["id"]
    assert response.json()["available_actions"] == ["submit", "withdraw", "note"]
    assert post(fr_api, f"/api/v1/requests/{rid}/actions/submit").json()["state"] == "sent"
    inbox = de_api.get("/api/v1/requests", {"box": "inbox"}).json()
    assert [r["id"] for r in inbox["results"]] == [rid] and inbox["counts"]["sent"] == 1
    body = de_api.get(f"/api/v1/requests/{rid}", HTTP_ACCEPT_LANGUAGE="de").json()
    assert body["questions"][0]["text"].startswith("Ist")  # the German text of the question
    assert body["subject"]["name"] == "Jean Dupont"
    version = body["version"]
    assert post(de_api, f"/api/v1/requests/{rid}/actions/accept", {"version": version}).json()["state"] == "accepted"
    answered = post(
        de_api,
        f"/api/v1/requests/{rid}/actions/answer",
        {"answers": {"diploma_authentic": "yes"}, "text": "Echt.", "language": "de"},
    ).json()
    assert answered["state"] == "answered"
    body = fr_api.get(f"/api/v1/requests/{rid}", HTTP_ACCEPT_LANGUAGE="fr").json()
    assert body["questions"][0]["answer_display"] == "Oui"
    closed = post(fr_api, f"/api/v1/requests/{rid}/actions/accept_answer", {"rating_timeliness": 5}).json()
    assert closed["state"] == "closed"


def test_stale_version_gets_409(fr_api, de_api, de_authority):
    rid = create(fr_api, de_authority).json()["id"]
    post(fr_api, f"/api/v1/requests/{rid}/actions/submit")
    version = de_api.get(f"/api/v1/requests/{rid}").json()["version"]
    assert post(de_api, f"/api/v1/requests/{rid}/actions/accept", {"version": version}).status_code == 200
    response = post(de_api, f"/api/v1/requests/{rid}/actions/note", {"version": version, "text": "late"})
    assert response.status_code == 409 and response.json()["errors"][0]["field"] == "version"


@pytest.mark.parametrize(
    "action,body,status,field",
    [
        ("accept_answer", {}, 422, "state"),
        ("no_such_action", {}, 422, "action"),
        ("submit", {"colour": "red"}, 422, "colour"),
        ("submit", {"rating_effort": 9}, 422, "rating_effort"),
    ],
)
def test_action_errors_are_json_naming_the_problem(fr_api, de_authority, action, body, status, field):
    rid = create(fr_api, de_authority).json()["id"]
    response = post(fr_api, f"/api/v1/requests/{rid}/actions/{action}", body)
    assert response.status_code == status
    assert response.json()["errors"][0]["field"] == field


def test_bad_draft_fields_are_named(fr_api, de_authority):
    response = create(fr_api, de_authority, reply_by="2001-01-01", questions=["nope"])
    assert response.status_code == 422
    assert {e["field"] for e in response.json()["errors"]} == {"reply_by", "questions"}
    assert not InformationRequest.objects.exists()


def test_outsiders_see_nothing(fr_api, de_authority, outsider):
    rid = create(fr_api, de_authority).json()["id"]
    post(fr_api, f"/api/v1/requests/{rid}/actions/submit")
    other = AuthorityFactory(country_id="IT", areas=["professional_qualifications"])
    stranger = UserFactory()
    member(stranger, other, "request_handler")
    client = api(stranger, other)
    assert client.get(f"/api/v1/requests/{rid}").status_code == 404
    assert post(client, f"/api/v1/requests/{rid}/actions/accept").status_code == 404
    assert client.get("/api/v1/requests", {"box": "inbox"}).json()["count"] == 0


def test_attachments_are_checked_and_only_for_participants(fr_api, de_api, de_authority, de_handler):
    rid = create(fr_api, de_authority).json()["id"]
    pdf = SimpleUploadedFile("diplôme ../../etc/passwd.pdf", b"%PDF-1.4\n%test\n", content_type="application/pdf")
    response = fr_api.post(f"/api/v1/requests/{rid}/attachments", {"file": pdf})
    assert response.status_code == 201, response.content
    assert "/" not in response.json()["name"]
    exe = SimpleUploadedFile("invoice.pdf", b"MZ\x90\x00" + b"\x00" * 100, content_type="application/pdf")
    response = fr_api.post(f"/api/v1/requests/{rid}/attachments", {"file": exe})
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "file"
    aid = fr_api.get(f"/api/v1/requests/{rid}").json()["attachments"][0]["id"]
    assert fr_api.get(f"/api/v1/requests/{rid}/attachments/{aid}").status_code == 200
    # A draft is invisible to the responder until it is sent.
    assert de_api.get(f"/api/v1/requests/{rid}/attachments/{aid}").status_code == 404


def test_inbox_query_count_is_bounded(fr_api, de_api, de_authority, django_assert_max_num_queries):
    for _ in range(15):
        rid = create(fr_api, de_authority).json()["id"]
        post(fr_api, f"/api/v1/requests/{rid}/actions/submit")
    with django_assert_max_num_queries(12):
        response = de_api.get("/api/v1/requests", {"box": "inbox", "page_size": 25})
    assert response.json()["count"] == 15


def test_question_sets_in_the_readers_language(fr_api):
    sets = fr_api.get("/api/v1/question-sets", {"legal_area": "posting_of_workers"}, HTTP_ACCEPT_LANGUAGE="pl").json()
    assert sets[0]["code"] == "posting_of_workers"
    assert "A1" in " ".join(q["text"] for q in sets[0]["questions"])
    assert sets[0]["title"] != "Posting of Workers: information on an employer and posted workers"


def test_states_are_exactly_those_of_the_product():
    assert set(State.values) == {
        "draft",
        "awaiting_approval",
        "sent",
        "accepted",
        "awaiting_information",
        "answered",
        "closed",
        "withdrawn",
    }


def test_the_openapi_document_lists_every_workflow_action(db):
    document = Client().get("/api/v1/openapi.json").json()
    [operation] = document["paths"]["/api/v1/requests/{request_id}/actions/{action}"].values()
    [parameter] = [p for p in operation["parameters"] if p["name"] == "action"]
    schema = parameter["schema"]
    if "$ref" in schema:
        schema = document["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]]
    # Every action of the table but those applied by a service of their own (uploading).
    assert schema["enum"] == [name for name, action in ACTIONS.items() if not action.own_service]
    assert "attach" not in schema["enum"]


def test_an_unknown_action_is_refused_naming_the_parameter(fr_api, de_authority):
    response = fr_api.post("/api/v1/requests/1/actions/explode", {}, content_type="application/json")
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["action"]
