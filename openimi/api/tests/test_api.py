import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from openimi.directory.members import token_issue
from openimi.directory.models import Authority, AuthorityStatus
from openimi.tests.factories import AuthorityFactory


def api_client(user, authority) -> Client:
    _token, raw = token_issue(actor=user, authority=authority, name="back office")
    return Client(HTTP_AUTHORIZATION=f"Bearer {raw}")


@pytest.fixture
def fr_api(fr_handler, fr_authority):
    return api_client(fr_handler, fr_authority)


@pytest.fixture
def coordinator_api(fr_coordinator, fr_coordinator_authority):
    return api_client(fr_coordinator, fr_coordinator_authority)


def test_openapi_document_is_published(db):
    response = Client().get("/api/v1/openapi.json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    assert "/api/v1/authorities" in paths and "/api/v1/me" in paths


def test_requests_without_a_valid_token_are_refused_with_json(db):
    for headers in ({}, {"HTTP_AUTHORIZATION": "Bearer nope"}, {"HTTP_AUTHORIZATION": "Basic Zm9vOmJhcg=="}):
        response = Client(**headers).get("/api/v1/authorities")
        assert response.status_code == 401
        assert response.json()["errors"][0]["message"]


def test_revoked_token_is_refused(fr_handler, fr_authority):
    token, raw = token_issue(actor=fr_handler, authority=fr_authority, name="x")
    token.revoked_at = timezone.now()
    token.save()
    assert Client(HTTP_AUTHORIZATION=f"Bearer {raw}").get("/api/v1/me").status_code == 401


def test_me_names_the_user_and_the_authority_the_token_acts_for(fr_api, fr_handler, fr_authority):
    body = fr_api.get("/api/v1/me").json()
    assert body["email"] == fr_handler.email
    assert body["acting_for"]["id"] == fr_authority.pk
    assert body["acting_for"]["roles"] == ["request_handler"]


def test_token_only_for_an_authority_of_the_user(fr_handler, de_authority):
    with pytest.raises(PermissionDenied):
        token_issue(actor=fr_handler, authority=de_authority, name="x")


def test_issue_token_command_prints_a_working_token(fr_handler, fr_authority, capsys):
    call_command("issue_token", fr_handler.email, "--authority", str(fr_authority.pk), "--name", "cli")
    raw = capsys.readouterr().out.strip().splitlines()[-1]
    assert Client(HTTP_AUTHORIZATION=f"Bearer {raw}").get("/api/v1/me").status_code == 200


def test_list_filters_and_paginates(fr_api, fr_authority, de_authority):
    AuthorityFactory.create_batch(30, country_id="DE", areas=["services"])
    body = fr_api.get("/api/v1/authorities", {"country": "DE", "page_size": 10, "page": 2}).json()
    assert body["count"] == 31 and body["pages"] == 4 and len(body["results"]) == 10
    assert {r["country"]["code"] for r in body["results"]} == {"DE"}
    body = fr_api.get(
        "/api/v1/authorities", {"legal_area": "professional_qualifications", "q": "berlin architekten"}
    ).json()
    assert [r["id"] for r in body["results"]] == [de_authority.pk]


def test_list_shows_names_in_the_readers_language(fr_api, de_authority):
    body = fr_api.get("/api/v1/authorities", {"country": "DE"}, HTTP_ACCEPT_LANGUAGE="fr").json()
    assert body["results"][0]["country"]["name"] == "Allemagne"


def test_page_beyond_the_end_is_empty_not_an_error(fr_api, fr_authority):
    body = fr_api.get("/api/v1/authorities", {"page": 999}).json()
    assert body["results"] == [] and body["count"] >= 1


def test_bad_query_values_name_the_field(fr_api):
    response = fr_api.get("/api/v1/authorities", {"page": "abc"})
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "page"
    response = fr_api.get("/api/v1/authorities", {"q": "x" * 10_000})
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "q"


def test_hostile_query_text_is_just_text(fr_api, fr_authority):
    for q in ["' OR 1=1 --", "%", "_", "\\", "\x00", "架构师", "NEAR(a b)"]:
        response = fr_api.get("/api/v1/authorities", {"q": q})
        assert response.status_code in (200, 422)


def test_list_query_count_does_not_grow_with_results(fr_api, django_assert_max_num_queries):
    AuthorityFactory.create_batch(25, country_id="IT", areas=["services", "general_cooperation"])
    with django_assert_max_num_queries(12):
        response = fr_api.get("/api/v1/authorities", {"page_size": 25})
    assert len(response.json()["results"]) == 25


def test_unlisted_authorities_are_invisible_to_others(fr_api, de_coordinator):
    pending = AuthorityFactory(country_id="DE", status=AuthorityStatus.PENDING, official_name="Noch nicht geprüft")
    assert fr_api.get(f"/api/v1/authorities/{pending.pk}").status_code == 404
    assert all(r["id"] != pending.pk for r in fr_api.get("/api/v1/authorities", {"q": "geprüft"}).json()["results"])


def test_detail_of_a_listed_authority(fr_api, de_authority):
    body = fr_api.get(f"/api/v1/authorities/{de_authority.pk}").json()
    assert body["official_name"] == "Architektenkammer Berlin"
    assert body["legal_areas"][0]["code"] == "professional_qualifications"
    assert "members" not in body and "users" not in body


def test_coordinator_registers_through_the_api(coordinator_api):
    payload = {
        "official_name": "Mairie de Lille",
        "official_language": "fr",
        "country": "FR",
        "city": "Lille",
        "region": "FR-59",
        "legal_areas": ["services"],
        "competences": ["building_permits"],
        "texts": [{"language": "en", "title": "Lille city council"}],
    }
    response = coordinator_api.post("/api/v1/authorities", payload, content_type="application/json")
    assert response.status_code == 201, response.content
    assert response.json()["informal_title"] == "Lille city council"
    assert Authority.objects.get(official_name="Mairie de Lille").status == AuthorityStatus.ACTIVE


def test_unknown_field_is_named_and_nothing_is_saved(coordinator_api):
    payload = {"official_name": "Mairie de Metz", "official_language": "fr", "country": "FR", "colour": "blue"}
    response = coordinator_api.post("/api/v1/authorities", payload, content_type="application/json")
    assert response.status_code == 422
    # No Accept-Language: the answer is in the token user's own language (French here).
    assert response.json()["errors"] == [{"field": "colour", "message": "Champ inconnu."}]
    assert not Authority.objects.filter(official_name="Mairie de Metz").exists()


def test_domain_errors_name_the_field_in_the_clients_language(coordinator_api):
    payload = {"official_name": "Mairie de Metz", "official_language": "fr", "country": "FR", "region": "DE-BE"}
    response = coordinator_api.post(
        "/api/v1/authorities", payload, content_type="application/json", HTTP_ACCEPT_LANGUAGE="de"
    )
    assert response.status_code == 422
    error = response.json()["errors"][0]
    assert error["field"] == "region"
    assert "Region" in error["message"]


def test_malformed_json_is_a_4xx(coordinator_api):
    response = coordinator_api.post("/api/v1/authorities", "{not json", content_type="application/json")
    assert 400 <= response.status_code < 500


def test_handler_cannot_register_or_edit_others(fr_api, de_authority):
    payload = {"official_name": "X", "official_language": "fr", "country": "FR"}
    assert fr_api.post("/api/v1/authorities", payload, content_type="application/json").status_code == 403
    response = fr_api.patch(f"/api/v1/authorities/{de_authority.pk}", {"phone": "1"}, content_type="application/json")
    assert response.status_code == 403
    de_authority.refresh_from_db()
    assert de_authority.phone == ""


def test_local_admin_updates_own_authority(fr_admin, fr_authority):
    client = api_client(fr_admin, fr_authority)
    response = client.patch(
        f"/api/v1/authorities/{fr_authority.pk}", {"phone": "+33 1 00 00 00 00"}, content_type="application/json"
    )
    assert response.status_code == 200 and response.json()["phone"] == "+33 1 00 00 00 00"


def test_validate_and_suspend_through_the_api(coordinator_api, fr_authority):
    pending = AuthorityFactory(country_id="FR", status=AuthorityStatus.PENDING)
    assert coordinator_api.post(f"/api/v1/authorities/{pending.pk}/validate").json()["status"] == "active"
    response = coordinator_api.post(f"/api/v1/authorities/{pending.pk}/validate")
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "status"
    response = coordinator_api.post(
        f"/api/v1/authorities/{fr_authority.pk}/suspend", {}, content_type="application/json"
    )
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "reason"
    response = coordinator_api.post(
        f"/api/v1/authorities/{fr_authority.pk}/suspend", {"reason": "Merged"}, content_type="application/json"
    )
    assert response.json()["status"] == "suspended"


def test_nul_characters_in_input_are_refused_cleanly(coordinator_api):
    payload = {
        "official_name": "Mairie\x00",
        "official_language": "fr",
        "country": "FR",
        "texts": [{"language": "en", "title": "x\x00"}],
    }
    response = coordinator_api.post("/api/v1/authorities", payload, content_type="application/json")
    assert response.status_code == 422
    assert {e["field"] for e in response.json()["errors"]} >= {"official_name", "texts"}
