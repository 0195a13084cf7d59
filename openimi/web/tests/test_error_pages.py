"""Error pages as the demo and production serve them (DEBUG off): ours, in the layout, with the
security headers, never Django's debug pages listing the URL patterns; and static files only
from what was collected, so a path cannot climb out of STATIC_ROOT."""

import json
import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import Client, override_settings
from django.urls import path, reverse

from openimi.exchanges.services import request_act, request_create
from openimi.exchanges.tests.test_workflow import draft_data
from openimi.tests.factories import AuthorityFactory, UserFactory, member
from openimi.urls import urlpatterns as openimi_urlpatterns


def boom(request):
    raise RuntimeError("a bug")


urlpatterns = [path("boom/", boom), *openimi_urlpatterns]

WHITENOISE = "whitenoise.middleware.WhiteNoiseMiddleware"


def assert_secure_headers(response):
    assert "default-src 'self'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"


@override_settings(DEBUG=False)
def test_the_404_page_is_ours_with_the_security_headers_and_no_url_patterns(db):
    response = Client().get("/no-such-page/")
    body = response.content.decode()
    assert response.status_code == 404
    assert_secure_headers(response)
    assert "Page not found" in body and 'class="govuk-template"' in body
    assert "URLconf" not in body and "data-protection/" not in body


@override_settings(DEBUG=False)
def test_a_request_one_may_not_see_is_our_404_in_the_readers_language(
    client_for, fr_handler, fr_authority, de_authority
):
    r = request_create(actor=fr_handler, requester=fr_authority, data=draft_data(de_authority))
    request_act(actor=fr_handler, request=r, action="submit")
    stranger = UserFactory(language="de")
    member(stranger, AuthorityFactory(country_id="IT"), "request_handler")
    response = client_for(stranger).get(reverse("exchanges:detail", args=[r.pk]))
    body = response.content.decode()
    assert response.status_code == 404
    assert_secure_headers(response)
    assert '<html lang="de"' in body and "Seite nicht gefunden" in body and 'class="openimi-header"' in body
    assert "URLconf" not in body and "Http404" not in body and "Traceback" not in body


@override_settings(DEBUG=False)
def test_an_action_one_may_not_take_is_our_403_in_the_layout_and_language(client_for, outsider):
    outsider.language = "fr"
    outsider.save()
    response = client_for(outsider).get(reverse("exchanges:compose"))
    body = response.content.decode()
    assert response.status_code == 403
    assert_secure_headers(response)
    assert '<html lang="fr"' in body and 'class="openimi-header"' in body and "<h1>403 Forbidden</h1>" not in body
    assert "Vous ne pouvez pas" in body or "You cannot do this" in body  # translated once the lead compiles


@override_settings(DEBUG=False)
def test_an_unknown_url_is_our_404_in_the_browsers_language(db):
    response = Client(headers={"accept-language": "de"}).get("/no-such-page/")
    assert response.status_code == 404
    assert "Seite nicht gefunden" in response.content.decode()


@override_settings(DEBUG=False, ROOT_URLCONF=__name__)
def test_the_500_page_is_ours_with_the_security_headers(db):
    client = Client(raise_request_exception=False)
    response = client.get("/boom/")
    assert response.status_code == 500
    assert_secure_headers(response)
    body = response.content.decode()
    assert "Sorry, there is a problem with OpenIMI" in body and "RuntimeError" not in body
    german = client.get("/boom/", headers={"accept-language": "de"}).content.decode()
    assert '<html lang="de"' in german and "Leider ist bei OpenIMI ein Problem aufgetreten" in german


@pytest.fixture
def collected_static(tmp_path):
    (tmp_path / "openimi").mkdir()
    (tmp_path / "openimi" / "openimi.css").write_text("body{}")
    middleware = [m for m in settings.MIDDLEWARE if m != WHITENOISE]
    middleware.insert(1, WHITENOISE)
    with override_settings(DEBUG=False, STATIC_ROOT=tmp_path, MIDDLEWARE=middleware):
        yield


@pytest.mark.parametrize(
    "url",
    [
        "/static/..%2f..%2fvar%2fopenimi.sqlite3",
        "/static/../../var/openimi.sqlite3",
        "/static/%2e%2e/%2e%2e/openimi/settings.py",
        "/static/openimi/..%2f..%2fmanage.py",
    ],
)
def test_a_path_climbing_out_of_the_static_files_is_not_found(collected_static, db, url):
    response = Client().get(url)
    assert response.status_code == 404
    assert_secure_headers(response)


def test_collected_static_files_are_served(collected_static, db):
    response = Client().get("/static/openimi/openimi.css")
    assert response.status_code == 200 and b"".join(response.streaming_content) == b"body{}"


def demo_settings(**env) -> dict:
    code = (
        "import json, openimi.settings as s; print(json.dumps({'debug': s.DEBUG, 'hosts': s.ALLOWED_HOSTS,"
        " 'middleware': s.MIDDLEWARE, 'storage': s.STORAGES['staticfiles']['BACKEND'],"
        " 'secure': [s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_SSL_REDIRECT, s.SECURE_HSTS_SECONDS]}))"
    )
    environment = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "SECRET_KEY", "ALLOWED_HOSTS"}}
    result = subprocess.run(  # noqa: S603 - our own interpreter and code
        [sys.executable, "-c", code], env={**environment, **env}, capture_output=True, text=True, check=False
    )
    return json.loads(result.stdout) if result.returncode == 0 else {"error": result.stderr}


def test_the_demo_runs_with_production_settings_over_plain_http():
    demo = demo_settings(OPENIMI_ENV="demo", SECRET_KEY="k" * 50)
    assert demo["debug"] is False
    assert demo["hosts"] == ["127.0.0.1", "localhost"]
    assert WHITENOISE in demo["middleware"]
    assert demo["storage"] == "openimi.web.storage.StaticFilesStorage"
    assert demo["secure"] == [False, False, False, 0]


def test_the_demo_refuses_to_start_without_its_own_secret_key():
    assert "SECRET_KEY must be set" in demo_settings(OPENIMI_ENV="demo")["error"]


def test_the_static_files_of_the_demo_and_production_can_be_collected(tmp_path):
    storages = {**settings.STORAGES, "staticfiles": {"BACKEND": "openimi.web.storage.StaticFilesStorage"}}
    with override_settings(STATIC_ROOT=tmp_path, STORAGES=storages):
        call_command("collectstatic", "--noinput", verbosity=0)
    manifest = json.loads((tmp_path / "staticfiles.json").read_text())
    assert "openimi/openimi.css" in manifest["paths"]
