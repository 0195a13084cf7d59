"""What the API fuzzing (test_fuzz.py) found, each pinned by a plain test that runs on SQLite and
PostgreSQL whatever the fuzzer's seed."""

import pytest
from django.test import Client

from openimi.directory.members import token_issue
from openimi.directory.models import Authority


def api_client(user, authority) -> Client:
    _token, raw = token_issue(actor=user, authority=authority, name="back office")
    return Client(HTTP_AUTHORIZATION=f"Bearer {raw}")


@pytest.fixture
def coordinator_api(fr_coordinator, fr_coordinator_authority):
    return api_client(fr_coordinator, fr_coordinator_authority)


def test_a_text_without_a_description_updates_an_authority(coordinator_api, fr_authority):
    # Was a 500: the description's default was dropped with the other unset fields.
    response = coordinator_api.patch(
        f"/api/v1/authorities/{fr_authority.pk}",
        {"texts": [{"language": "en", "title": "Architects of Île-de-France"}]},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    assert response.json()["texts"] == [{"language": "en", "title": "Architects of Île-de-France", "description": ""}]


@pytest.mark.parametrize(
    "field,value",
    [
        ("competences", ["architect\x00"]),
        ("legal_areas", ["services", "\x00"]),
        ("texts", [{"language": "e\x00n", "title": "Lille"}]),
    ],
)
def test_a_nul_inside_a_list_is_a_field_error_not_a_500(coordinator_api, field, value):
    # Was a 500 on PostgreSQL, which refuses NUL in any text it is asked to compare.
    body = {"official_name": "Mairie de Lille", "official_language": "fr", "country": "FR", field: value}
    response = coordinator_api.post("/api/v1/authorities", body, content_type="application/json")
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == [field]
    assert not Authority.objects.filter(official_name="Mairie de Lille").exists()


@pytest.mark.parametrize("value", ["0", "1700000000", "2026-1-5", "05/01/2026"])
def test_dates_are_taken_only_as_year_month_day(coordinator_api, value):
    # "0" was read as a Unix timestamp: 1 January 1970.
    response = coordinator_api.post(
        "/api/v1/requests",
        {"legal_area": "services", "reply_by": value},
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 422
    [error] = [e for e in response.json()["errors"] if e["field"] == "reply_by"]
    assert "YYYY-MM-DD" in error["message"]


def test_question_sets_and_downloads_declare_what_they_answer(db):
    paths = Client().get("/api/v1/openapi.json").json()["paths"]
    assert {"200", "401", "429"} <= set(paths["/api/v1/question-sets"]["get"]["responses"])
    download = paths["/api/v1/requests/{request_id}/attachments/{attachment_id}"]["get"]["responses"]
    assert {"200", "401", "404", "429"} <= set(download)
    assert "application/pdf" in download["200"]["content"]
