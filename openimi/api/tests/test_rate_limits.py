"""Request-rate limits on the API: per token, answered with the one JSON error format, a 429
and Retry-After, before the operation runs; counters in the database, shared by processes."""

import threading
import time
import uuid

import pytest
from django.db import connection
from django.test import Client, RequestFactory
from django.utils import translation
from django.utils.translation import ngettext

from openimi.accounts.models import RateCounter
from openimi.directory.members import token_issue
from openimi.directory.models import Authority
from openimi.lib.env import envrate
from openimi.lib.ratelimit import client_address, prune, seconds_to_wait


def api_client(user, authority) -> Client:
    _token, raw = token_issue(actor=user, authority=authority, name="back office")
    return Client(HTTP_AUTHORIZATION=f"Bearer {raw}")


NEW_AUTHORITY = {"official_name": "Mairie de Roubaix", "official_language": "fr", "country": "FR", "city": "Roubaix"}


@pytest.fixture
def low_api_limit(settings):
    settings.API_RATE_LIMIT = "3/m"


def test_a_token_beyond_its_limit_gets_429_json_and_nothing_changes(
    low_api_limit, fr_coordinator, fr_coordinator_authority
):
    api = api_client(fr_coordinator, fr_coordinator_authority)
    for _ in range(3):
        assert api.get("/api/v1/me").status_code == 200
    response = api.post("/api/v1/authorities", NEW_AUTHORITY, content_type="application/json")
    assert response.status_code == 429
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert 1 <= int(response["Retry-After"]) <= 60
    [error] = response.json()["errors"]
    assert error["field"] is None
    with translation.override("fr"):  # the token's user is French
        expected = ngettext(
            "Too many requests with this token. Try again in %(seconds)d second.",
            "Too many requests with this token. Try again in %(seconds)d seconds.",
            int(response["Retry-After"]),
        ) % {"seconds": int(response["Retry-After"])}
    assert error["message"] == expected
    assert not Authority.objects.filter(official_name="Mairie de Roubaix").exists()


def test_another_token_is_unaffected(low_api_limit, fr_coordinator, fr_coordinator_authority, fr_handler, fr_authority):
    busy = api_client(fr_coordinator, fr_coordinator_authority)
    for _ in range(4):
        busy.get("/api/v1/me")
    assert busy.get("/api/v1/me").status_code == 429
    assert api_client(fr_coordinator, fr_coordinator_authority).get("/api/v1/me").status_code == 200
    assert api_client(fr_handler, fr_authority).get("/api/v1/me").status_code == 200


def test_within_the_limit_a_change_goes_through(low_api_limit, fr_coordinator, fr_coordinator_authority):
    api = api_client(fr_coordinator, fr_coordinator_authority)
    api.get("/api/v1/me")
    response = api.post("/api/v1/authorities", NEW_AUTHORITY, content_type="application/json")
    assert response.status_code == 201, response.content


def test_refused_tokens_do_not_use_up_a_real_tokens_requests(low_api_limit, fr_handler, fr_authority):
    for _ in range(5):
        assert Client(HTTP_AUTHORIZATION="Bearer oimi_not-a-token").get("/api/v1/me").status_code == 401
    assert api_client(fr_handler, fr_authority).get("/api/v1/me").status_code == 200


def test_counters_live_in_the_database(low_api_limit, fr_handler, fr_authority):
    api = api_client(fr_handler, fr_authority)
    assert [api.get("/api/v1/me").status_code for _ in range(4)] == [200, 200, 200, 429]
    assert RateCounter.objects.get().hits == 4


def test_counting_a_request_costs_one_query(db, django_assert_num_queries):
    request = RequestFactory().get("/api/v1/me")
    with django_assert_num_queries(1):
        assert seconds_to_wait(request, group="api", key="one-query", rate="5/m") is None


def test_a_new_window_starts_the_count_again(db, monkeypatch):
    request = RequestFactory().get("/api/v1/me")
    monkeypatch.setattr(time, "time", lambda: 1_000_000.0)
    assert [seconds_to_wait(request, group="g", key="k", rate="2/m") for _ in range(3)] == [None, None, 20]
    monkeypatch.setattr(time, "time", lambda: 1_000_020.0)  # the next minute
    assert seconds_to_wait(request, group="g", key="k", rate="2/m") is None
    assert prune(now=1_000_020 + 2 * 86400) == 1
    assert not RateCounter.objects.exists()


def test_every_authenticated_operation_declares_the_429_answer(db):
    document = Client().get("/api/v1/openapi.json").json()
    operations = [(m.upper(), p, op) for p, ops in document["paths"].items() for m, op in ops.items()]
    assert operations
    missing = [f"{m} {p}" for m, p, op in operations if op.get("security") and "429" not in op["responses"]]
    assert missing == []


@pytest.mark.serial
@pytest.mark.django_db(transaction=True)
def test_racing_processes_get_exactly_the_limit_between_them(settings):
    """Eight threads, each with its own database connection as separate processes would have,
    ask 80 times at once for a limit of 50: exactly 50 pass, on SQLite and on PostgreSQL."""
    key = uuid.uuid4().hex  # a day's window (rate 50/d): no rollover during the test
    request = RequestFactory().get("/api/v1/me")
    barrier = threading.Barrier(8)
    allowed, errors = [], []

    def ask():
        try:
            barrier.wait()
            for _ in range(10):
                if seconds_to_wait(request, group="race", key=key, rate="50/d") is None:
                    allowed.append(1)
        except Exception as exc:  # reported by the assertion below
            errors.append(repr(exc))
        finally:
            connection.close()

    threads = [threading.Thread(target=ask) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert errors == []
    assert len(allowed) == 50


@pytest.mark.parametrize(
    "meta,behind_proxy,expected",
    [
        ({"REMOTE_ADDR": "203.0.113.7"}, False, "203.0.113.7"),
        ({"REMOTE_ADDR": "203.0.113.7", "HTTP_X_FORWARDED_FOR": "198.51.100.1"}, False, "203.0.113.7"),
        ({"REMOTE_ADDR": "10.0.0.2", "HTTP_X_FORWARDED_FOR": "1.2.3.4, 198.51.100.1"}, True, "198.51.100.1"),
        ({"REMOTE_ADDR": "10.0.0.2"}, True, "10.0.0.2"),
        ({"REMOTE_ADDR": "2001:db8:1:2:3:4:5:6"}, False, "2001:db8:1:2::"),
    ],
)
def test_the_address_counted_for_sign_in_limits(settings, meta, behind_proxy, expected):
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if behind_proxy else None
    request = RequestFactory().post("/accounts/login/", **meta)
    assert client_address(request) == expected


@pytest.mark.parametrize("value", ["600", "ten/m", "0/m", "600/m;"])
def test_a_malformed_rate_setting_stops_start_up(monkeypatch, value):
    monkeypatch.setenv("API_RATE_LIMIT", value)
    with pytest.raises(RuntimeError):
        envrate("API_RATE_LIMIT", "600/m")
    monkeypatch.setenv("API_RATE_LIMIT", "")
    assert envrate("API_RATE_LIMIT", "600/m") == ""
