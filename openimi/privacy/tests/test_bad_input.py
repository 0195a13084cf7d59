"""Bad input, tried systematically. The issue: "tampered or replayed session cookies and tokens,
forged CSRF, path traversal in file names, oversized uploads, script in every text field:
refused or neutralised, logged, never a 500, nothing changed."

- sessions: a tampered, random or replayed session cookie is a signed-out visitor; a session
  whose second factor was not completed reaches no page (every URL pattern is tried);
- API tokens: tampered, revoked, of a deactivated user or a removed member, a right prefix with
  a wrong secret, malformed Authorization headers: 401 JSON, logged without the secret;
- CSRF: every kind of state-changing form without a token or with another session's token:
  403 on our own page in the user's language, logged by Django, nothing changed;
- file names: traversal, absolute paths, NUL, RTL override, very long names are stored under
  MEDIA_ROOT with a safe name; traversal in download URLs is a 404; a stored name that points
  outside MEDIA_ROOT is a 400, never served;
- sizes: an attachment above ATTACHMENT_MAX_BYTES is a clear error on the file field and
  nothing is stored; a body above DATA_UPLOAD_MAX_MEMORY_SIZE, or with too many fields, is a 400;
- script: every text field of every form (found by iterating the forms' CharFields), every kind
  of message and every answer of text type is shown escaped on every page that shows it, and
  as unchanged data in the API;
- odd query strings (NUL, huge and unicode numbers, negative pages, unknown sorts) on every URL
  pattern (from the resolver) and every API read (from the OpenAPI document), for each persona.
"""

import datetime
import logging
import re
import secrets
from importlib import import_module
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import quote

import pytest
from django import forms
from django.conf import settings
from django.contrib.sessions.models import Session
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import QueryDict
from django.template.defaultfilters import filesizeformat
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import escape
from django.utils.translation import gettext

from conftest import PASSWORD
from openimi.accounts.forms import MemberForm
from openimi.accounts.models import ApiToken, Membership, RoleGrant, User
from openimi.directory import services as directory_services
from openimi.directory.forms import AuthorityForm, InviteForm, JoinForm, NationalCoordinatorForm
from openimi.directory.members import member_remove, token_issue
from openimi.directory.models import Authority
from openimi.exchanges import selectors as exchange_selectors
from openimi.exchanges.attachments import safe_name
from openimi.exchanges.forms import AnswerForm, BoxForm, ComposeForm
from openimi.exchanges.models import Attachment, InformationRequest, Message, State
from openimi.exchanges.workflow import ACTIONS
from openimi.notifications.models import Notification
from openimi.privacy.tests.test_authorization_matrix import SKIP_PREFIXES, fill, walk
from openimi.privacy.tests.test_authorization_matrix import world as matrix_world  # noqa: F401 - a fixture
from openimi.questionnaires.models import QuestionSet, QuestionType
from openimi.tests.factories import AuthorityFactory, UserFactory, date_fields, member

PAYLOADS = ["<script>alert(1)</script>", '"><img src=x onerror=alert(1)>']
# What a payload looks like when it was not escaped. Our own pages never contain these exact
# strings: base.html's script element carries attributes.
RAW_MARKERS = ("<script>", "<img src=x")
REPLY_BY = timezone.localdate() + datetime.timedelta(days=20)
# Reachable before the second factor: the sign-in pages (the API has its own tokens).
OPEN_PREFIXES = ("/accounts/login/", "/accounts/logout/", "/accounts/password/", "/healthz", "/api/")


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path) -> Path:
    """MEDIA_ROOT two levels below a scratch directory, so that a file written through a
    traversal would land in the scratch directory, where the tests look for it."""
    root = tmp_path / "deep" / "down" / "media"
    root.mkdir(parents=True)
    settings.MEDIA_ROOT = root
    return root


@pytest.fixture
def world(request, fr_coordinator):
    """The authorization matrix's request from France to Germany with a document (its keys
    are what the matrix's ``fill`` needs for every URL pattern), plus France's coordinator."""
    return request.getfixturevalue("matrix_world")


def snapshot() -> dict:
    """Everything a bad request could change (audit entries and token use times aside)."""
    return {
        "requests": list(
            InformationRequest.objects.order_by("pk").values_list(
                "pk", "state", "version", "responder_id", "subject_name", "free_text", "referred_to_id"
            )
        ),
        "messages": Message.objects.count(),
        "attachments": list(Attachment.objects.order_by("pk").values_list("pk", "file")),
        "authorities": list(
            Authority.objects.order_by("pk").values_list("pk", "official_name", "status", "updated_at")
        ),
        "roles": list(
            RoleGrant.objects.order_by("pk").values_list("membership__user_id", "membership__authority_id", "role")
        ),
        "users": list(User.objects.order_by("pk").values_list("pk", "full_name", "language", "notification_mode")),
        "tokens": list(ApiToken.objects.order_by("pk").values_list("pk", "revoked_at")),
        "read notifications": Notification.objects.filter(read_at__isnull=False).count(),
        "sessions": Session.objects.count(),
    }


def redirects_to_sign_in(response) -> bool:
    return response.status_code == 302 and response["Location"].startswith(reverse(settings.LOGIN_URL))


def is_json_401(response) -> bool:
    return (
        response.status_code == 401
        and response["Content-Type"].startswith("application/json")
        and bool(response.json()["errors"][0]["message"])
    )


def act_data(r: InformationRequest, action: str, **fields) -> dict:
    """The POST of one action button on the request page (its form fields are prefixed)."""
    data = {"action": action, f"{action}-action": action, f"{action}-version": r.version}
    data.update({f"{action}-{name}": value for name, value in fields.items()})
    return data


def with_session_cookie(value: str) -> Client:
    client = Client()
    client.cookies[settings.SESSION_COOKIE_NAME] = value
    return client


# -- 1. Session cookies ---------------------------------------------------------------------


def tampered_keys(key: str) -> dict[str, str]:
    return {
        "one character changed": key[:-1] + ("a" if key[-1] != "a" else "b"),
        "random key": secrets.token_hex(16),
        "truncated": key[:-4],
        "key twice": key * 2,
        "10 KB long": (key * 400)[:10_240],
        "path characters": "../../" + key,
        "empty": "",
    }


def assert_signed_out(client: Client, r: InformationRequest, label: str) -> None:
    assert redirects_to_sign_in(client.get(reverse("exchanges:inbox"))), label
    assert redirects_to_sign_in(client.get(reverse("exchanges:detail", args=[r.pk]))), label
    response = client.post(reverse("exchanges:act", args=[r.pk]), act_data(r, "withdraw"))
    assert redirects_to_sign_in(response), label
    # The API knows bearer tokens only: a session cookie alone is no credential there.
    assert is_json_401(client.get("/api/v1/me")), label
    assert is_json_401(client.post(f"/api/v1/requests/{r.pk}/actions/withdraw", {}, "application/json")), label


def test_a_copied_session_cookie_works_so_the_tampering_tests_below_mean_something(world, client_for, fr_handler):
    key = client_for(fr_handler).cookies[settings.SESSION_COOKIE_NAME].value
    assert with_session_cookie(key).get(reverse("exchanges:inbox")).status_code == 200


def test_tampered_or_random_session_cookies_are_signed_out_visitors(world, client_for, fr_handler):
    key = client_for(fr_handler).cookies[settings.SESSION_COOKIE_NAME].value
    before = snapshot()
    for label, value in tampered_keys(key).items():
        assert_signed_out(with_session_cookie(value), world["request"], label)
    after = snapshot()
    # Anonymous visits may start sessions of their own; nothing else may change.
    assert {k: v for k, v in after.items() if k != "sessions"} == {k: v for k, v in before.items() if k != "sessions"}


def test_a_session_cookie_replayed_after_sign_out_is_a_signed_out_visitor(world, client_for, fr_handler):
    client = client_for(fr_handler)
    key = client.cookies[settings.SESSION_COOKIE_NAME].value
    client.post(reverse("accounts:logout"))
    store = import_module(settings.SESSION_ENGINE).SessionStore()
    assert not store.exists(key), "sign-out must delete the session on the server, not only the cookie"
    before = snapshot()
    assert_signed_out(with_session_cookie(key), world["request"], "replayed cookie")
    assert snapshot()["requests"] == before["requests"]


def test_a_session_without_a_completed_second_factor_reaches_no_page(world, fr_handler):
    """Every URL pattern, from the resolver: a signed-in session without its second factor
    is sent to the sign-in page everywhere but the sign-in pages themselves."""
    before = snapshot()
    patterns = [p for p in walk() if not p.startswith(SKIP_PREFIXES)]
    assert len(patterns) > 40
    for pattern in patterns:
        path = fill(pattern, world)
        for method in ("get", "post"):
            client = Client()
            client.force_login(fr_handler)  # password accepted, no TOTP device verified
            response = getattr(client, method)(path, {"action": "withdraw", "text": "x", "language": "de"})
            assert response.status_code < 500, f"{method} {path}"
            if not path.startswith(OPEN_PREFIXES):
                assert redirects_to_sign_in(response), f"{method} {path} reached without a second factor"
    assert snapshot()["requests"] == before["requests"]
    assert User.objects.get(pk=fr_handler.pk).language == fr_handler.language


def test_after_the_password_step_alone_nothing_is_reachable(world, fr_handler):
    client = Client()
    response = client.post(reverse("accounts:login"), {"username": fr_handler.email, "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == reverse("accounts:setup")  # the second step
    assert_signed_out(client, world["request"], "password step only")
    assert redirects_to_sign_in(client.get(reverse("accounts:profile")))


# -- 2. API tokens -----------------------------------------------------------------------------


def bad_authorization_headers(raw: str) -> dict[str, str]:
    other_secret = secrets.token_urlsafe(64)[: len(raw) - 12]
    return {
        "one character changed": "Bearer " + raw[:-1] + ("A" if raw[-1] != "A" else "B"),
        "right prefix, wrong secret": "Bearer " + raw[:12] + other_secret,
        "prefix only": "Bearer " + raw[:12],
        "no scheme": raw,
        "scheme only": "Bearer",
        "scheme and a space": "Bearer ",
        "two spaces": "Bearer  " + raw,
        "trailing space": "Bearer " + raw + " ",
        "another scheme": "Token " + raw,
        "basic credentials": "Basic Zm9vOmJhcg==",
        "unicode in the token": "Bearer " + raw[:-1] + "é",
        "unicode scheme": "Bëarer " + raw,
        "10 KB token": "Bearer oimi_" + "x" * 10_240,
        "NUL": "Bearer " + raw + "\x00",
        "line break": "Bearer oimi_x\r\nX-Forged: 1",
    }


@pytest.fixture
def token(fr_handler, fr_authority):
    return token_issue(actor=fr_handler, authority=fr_authority, name="back office")


def assert_refused_and_logged(caplog, r, header: str, label: str, secret: str) -> None:
    caplog.clear()
    client = Client(HTTP_AUTHORIZATION=header)
    assert is_json_401(client.get("/api/v1/me")), label
    response = client.post(f"/api/v1/requests/{r.pk}/actions/withdraw", {}, content_type="application/json")
    assert is_json_401(response), label
    records = [rec for rec in caplog.records if rec.name == "openimi.api.auth" and rec.levelno == logging.WARNING]
    assert len(records) == 2, f"{label}: each refusal is logged"
    for record in records:
        message = record.getMessage()
        assert secret not in message, f"{label}: the secret reached the log"
        assert "\n" not in message and "\r" not in message, f"{label}: a header forged a log line"
        assert len(message) < 300, f"{label}: the log line carries the header"


def test_malformed_or_forged_bearer_tokens_get_401_json_and_are_logged_without_the_secret(world, token, caplog):
    _api_token, raw = token
    assert Client(HTTP_AUTHORIZATION=f"Bearer {raw}").get("/api/v1/me").status_code == 200  # the real one works
    caplog.set_level(logging.WARNING, logger="openimi.api.auth")
    before = snapshot()
    for label, header in bad_authorization_headers(raw).items():
        assert_refused_and_logged(caplog, world["request"], header, label, secret=raw[12:-1])
    assert snapshot() == before


@pytest.mark.parametrize("how", ["revoked", "user deactivated", "member removed from the authority"])
def test_tokens_that_no_longer_hold_are_refused_and_logged_by_prefix(world, token, fr_admin, caplog, how):
    api_token, raw = token
    if how == "revoked":
        # No service or page revokes a token yet (only the admin site's revoked_at field).
        ApiToken.objects.filter(pk=api_token.pk).update(revoked_at=timezone.now())
    elif how == "user deactivated":
        User.objects.filter(pk=api_token.user_id).update(is_active=False)
    else:
        member_remove(
            actor=fr_admin, membership=Membership.objects.get(user=api_token.user, authority=world["authority"])
        )
    caplog.set_level(logging.WARNING, logger="openimi.api.auth")
    before = snapshot()
    assert_refused_and_logged(caplog, world["request"], f"Bearer {raw}", how, secret=raw[12:])
    assert repr(raw[:12]) in caplog.text, "the log names the token by its public prefix"
    assert snapshot() == before


# -- 3. Forged CSRF ----------------------------------------------------------------------------


def _form_token(client: Client, path: str = "/accounts/profile/") -> str:
    """The CSRF token a page gives this session (and, with it, the session's CSRF cookie)."""
    html = client.get(path).content.decode()
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)


def _note(w):
    r = w["request"]
    return "fr_handler", reverse("exchanges:act", args=[r.pk]), lambda: act_data(r, "note", text="forged note")


def _withdraw(w):
    r = w["request"]
    return (
        "fr_handler",
        reverse("exchanges:confirm", args=[r.pk, "withdraw"]),  # withdrawing is confirmed on its own page
        lambda: act_data(r, "withdraw", text="No longer needed."),
    )


def _compose(w):
    return (
        "fr_handler",
        reverse("exchanges:compose"),
        lambda: {
            "requester": w["authority"].pk,
            "legal_area": "professional_qualifications",
            "subject_name": "Forged",
            "free_text_language": "fr",
        },
    )


def _upload(w):
    return (
        "fr_handler",
        reverse("exchanges:upload", args=[w["request"].pk]),
        lambda: {"file": SimpleUploadedFile("forged.txt", b"forged", content_type="text/plain")},
    )


def _register(w):
    return (
        "fr_coordinator",
        reverse("directory:register"),
        lambda: {"official_name": "Mairie forgée", "official_language": "fr", "kind": "other", "country": "FR"},
    )


def _edit(w):
    return (
        "fr_admin",
        reverse("directory:edit", args=[w["authority"].pk]),
        lambda: {"official_name": "Nom forgé", "official_language": "fr", "kind": "other"},
    )


def _add_member(w):
    return (
        "fr_admin",
        reverse("directory:members", args=[w["authority"].pk]),
        lambda: {"email": "forged@example.eu", "full_name": "Forged Member", "roles": ["observer:*"]},
    )


def _suspend(w):
    return "fr_coordinator", reverse("directory:suspend", args=[w["authority"].pk]), lambda: {"reason": "forged"}


def _language(w):
    return "fr_handler", reverse("accounts:language"), lambda: {"language": "de", "next": "/"}


def _notification_mode(w):
    return "fr_handler", reverse("notifications:mode"), lambda: {"notification_mode": "digest"}


def _read_notifications(w):
    return "de_handler", reverse("notifications:read"), dict


def _sign_out(w):
    return "fr_handler", reverse("accounts:logout"), dict


STATE_CHANGING_FORMS = [
    _note,
    _withdraw,
    _compose,
    _upload,
    _register,
    _edit,
    _add_member,
    _suspend,
    _language,
    _notification_mode,
    _read_notifications,
    _sign_out,
]


@pytest.mark.parametrize("form", STATE_CHANGING_FORMS, ids=lambda f: f.__name__.strip("_"))
def test_forged_csrf_is_refused_logged_and_changes_nothing(form, world, client_for, outsider, request, caplog):
    persona, path, data = form(world)
    victim = client_for(request.getfixturevalue(persona))
    victim.handler.enforce_csrf_checks = True
    foreign_token = _form_token(client_for(outsider))
    caplog.set_level(logging.WARNING, logger="django.security.csrf")
    before = snapshot()

    attempts = {"no token, no CSRF cookie": victim.post(path, data())}
    own_token = _form_token(victim)
    attempts["no token"] = victim.post(path, data())
    attempts["another session's token"] = victim.post(path, {**data(), "csrfmiddlewaretoken": foreign_token})
    attempts["another session's token in the header"] = victim.post(path, data(), HTTP_X_CSRFTOKEN=foreign_token)
    attempts["garbage token"] = victim.post(path, {**data(), "csrfmiddlewaretoken": "x" * 64})
    for label, response in attempts.items():
        assert response.status_code == 403, label
        assert "web/csrf_failure.html" in [t.name for t in response.templates], label
    assert snapshot() == before
    assert len([r for r in caplog.records if r.name == "django.security.csrf"]) >= len(attempts)

    # The same form with this session's own token goes through: the refusals were the token's.
    response = victim.post(path, {**data(), "csrfmiddlewaretoken": own_token})
    assert response.status_code in (200, 302)
    assert snapshot() != before


def test_the_csrf_failure_page_is_ours_and_in_the_users_language(world, client_for, fr_handler):
    client = client_for(fr_handler)
    client.handler.enforce_csrf_checks = True
    response = client.post(reverse("accounts:language"), {"language": "de"})
    assert response.status_code == 403
    html = response.content.decode()
    assert '<html lang="fr"' in html
    with translation.override("fr"):
        assert gettext("The form could not be sent") in html
        assert gettext("Home") in html  # the design system's navigation, in French
    assert "CSRF verification failed" not in html and "DEBUG" not in html  # not Django's page
    assert User.objects.get(pk=fr_handler.pk).language == "fr"


def test_a_visitor_gets_the_csrf_failure_page_in_the_browsers_language(db):
    client = Client(enforce_csrf_checks=True, HTTP_ACCEPT_LANGUAGE="de")
    response = client.post(reverse("accounts:login"), {"username": "a@example.eu", "password": "x"})
    assert response.status_code == 403
    assert '<html lang="de"' in response.content.decode()


# -- 4. Path traversal in file names -----------------------------------------------------------

HOSTILE_NAMES = [
    "../../etc/passwd.txt",
    "..\\..\\windows\\win.ini.txt",
    "/etc/absolute/path.txt",
    "C:\\Windows\\system.ini.txt",
    "%2e%2e%2fetc%2fencoded.txt",
    "....//....//double.txt",
    "nul\x00byte.txt",
    "report\u202efdp.txt",  # shows as "reporttxt.pdf" with the right-to-left override
    "x" * 300 + ".txt",  # longer than the model's 200 characters and most file systems' 255
    "y" * 2000 + ".txt",  # beyond Django's 1 KB for a part's headers: a 400
    "..",
    ".",
    ".htaccess",
    "<script>alert(1)</script>.txt",
    '"><img src=x onerror=alert(1)>.txt',
]


def multipart(name: str, content: bytes = b"plain text") -> dict:
    """A raw multipart body: Django's test client would strip the path from ``name`` itself,
    hiding what a hostile client really sends. RFC 2231 encoding carries any character."""
    boundary = "openimi-" + secrets.token_hex(8)
    head = (
        f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename*=UTF-8''{quote(name, safe='')}"
        "\r\nContent-Type: text/plain\r\n\r\n"
    )
    body = head.encode() + content + f"\r\n--{boundary}--\r\n".encode()
    return {"data": body, "content_type": f"multipart/form-data; boundary={boundary}"}


@pytest.mark.parametrize("name", HOSTILE_NAMES + ["a/b\\c\x00d\u202ee\u2066f\n.txt", "", " . ", "\u00a0"])
def test_safe_name_keeps_a_harmless_base_name(name):
    result = safe_name(name)
    assert result and len(result) <= 120
    assert not set(result) & set("/\\\x00\n\r<>\"'\u202e\u2066")
    assert not result.startswith(".") and result not in (".", "..")
    assert Path(result).name == result


def assert_stored_safely(attachment: Attachment, media_root: Path) -> None:
    path = Path(attachment.file.path).resolve()
    assert path.is_relative_to(media_root.resolve()) and path.is_file()
    # The stored file's name never comes from the client.
    assert re.fullmatch(r"[0-9a-f]{32}\.\w+", path.name), path.name
    name = attachment.original_name
    assert not set(name) & set('/\\\x00\u202e<>"'), name
    assert not name.startswith(".") and len(name) <= 120


def test_hostile_file_names_are_stored_safely_under_media_root(world, client_for, fr_handler, media_root, token):
    r = world["request"]
    page = client_for(fr_handler)
    api = Client(HTTP_AUTHORIZATION=f"Bearer {token[1]}")
    for name in HOSTILE_NAMES:
        known = set(Attachment.objects.values_list("pk", flat=True))
        response = page.post(reverse("exchanges:upload", args=[r.pk]), **multipart(name))
        assert response.status_code in (200, 302, 400), name  # 200: refused, shown on the form
        response = api.post(f"/api/v1/requests/{r.pk}/attachments", **multipart(name))
        assert response.status_code in (201, 400, 422), (name, response.content)
        if response.status_code == 201:
            assert not set(response.json()["name"]) & set("/\\\x00\u202e"), name
        for attachment in Attachment.objects.exclude(pk__in=known):
            assert_stored_safely(attachment, media_root)
    assert Attachment.objects.count() > 10  # most names were stored (under a safe name), not just refused
    scratch = media_root.parent.parent.parent
    outside = [p for p in scratch.rglob("*") if p.is_file() and not p.is_relative_to(media_root)]
    assert outside == [], "a file was written outside MEDIA_ROOT"
    html = page.get(reverse("exchanges:detail", args=[r.pk])).content.decode()
    assert not any(marker in html for marker in RAW_MARKERS)
    for attachment in Attachment.objects.all():
        assert escape(attachment.original_name) in html


def test_traversal_in_download_urls_is_404(world, client_for, fr_handler, token):
    r, a = world["request"], world["attachment"]
    page = client_for(fr_handler)
    api = Client(HTTP_AUTHORIZATION=f"Bearer {token[1]}")
    assert page.get(reverse("exchanges:download", args=[r.pk, a.pk])).status_code == 200  # the real one works
    for path in (
        f"/requests/{r.pk}/attachments/../../",
        f"/requests/{r.pk}/attachments/../../../../etc/passwd",
        f"/requests/{r.pk}/attachments/..%2F..%2F..%2Fetc%2Fpasswd",
        f"/requests/{r.pk}/attachments/%2e%2e/%2e%2e/openimi/settings.py",
        f"/requests/{r.pk}/attachments/{a.pk}/../../../../etc/passwd",
        f"/requests/{r.pk}/attachments/{a.pk}%00/",
        f"/requests/{r.pk}/attachments/{a.pk}/%2e%2e/",
        f"/api/v1/requests/{r.pk}/attachments/..%2F..%2Fetc%2Fpasswd",
        f"/api/v1/requests/{r.pk}/attachments/{a.pk}/../../../etc/passwd",
    ):
        for client in (page, api):
            response = client.get(path)
            assert response.status_code == 404, path
            assert not response.has_header("Content-Disposition"), path


def test_a_stored_name_pointing_outside_media_root_is_never_served(world, client_for, fr_handler, token, caplog):
    """Defence in depth: should a row ever hold a path outside MEDIA_ROOT, the storage refuses
    it (SuspiciousFileOperation: 400, logged) instead of serving the file."""
    r, a = world["request"], world["attachment"]
    page = client_for(fr_handler)
    api = Client(HTTP_AUTHORIZATION=f"Bearer {token[1]}")
    for stored in ("../../../../../../etc/passwd", "/etc/passwd", "attachments/../../../../../etc/hosts"):
        Attachment.objects.filter(pk=a.pk).update(file=stored)
        for client, path in (
            (page, reverse("exchanges:download", args=[r.pk, a.pk])),
            (api, f"/api/v1/requests/{r.pk}/attachments/{a.pk}"),
        ):
            caplog.clear()
            response = client.get(path)
            assert response.status_code == 400, (stored, path)
            assert not response.has_header("Content-Disposition")
            assert "root:" not in response.content.decode(errors="replace")
            assert any(rec.name == "django.security.SuspiciousFileOperation" for rec in caplog.records)


# -- 5. Oversized uploads and bodies -------------------------------------------------------------


def test_an_attachment_above_the_limit_is_refused_on_the_file_field(
    world, client_for, fr_handler, token, settings, media_root
):
    settings.ATTACHMENT_MAX_BYTES = 1000
    r = world["request"]
    page = client_for(fr_handler)
    files_before = sorted(media_root.rglob("*"))
    before = snapshot()
    response = page.post(
        reverse("exchanges:upload", args=[r.pk]),
        {"file": SimpleUploadedFile("big.txt", b"x" * 1001, content_type="text/plain")},
        follow=True,
    )
    with translation.override("fr"):
        expected = gettext("The file is larger than %(size)s.") % {"size": filesizeformat(1000)}
    assert response.status_code == 200
    assert escape(expected) in response.content.decode()  # the limit itself, in the user's language
    response = Client(HTTP_AUTHORIZATION=f"Bearer {token[1]}").post(
        f"/api/v1/requests/{r.pk}/attachments",
        {"file": SimpleUploadedFile("big.txt", b"x" * 5000, content_type="text/plain")},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 422
    assert response.json()["errors"] == [{"field": "file", "message": "The file is larger than 1000\xa0bytes."}]
    assert snapshot() == before
    assert sorted(media_root.rglob("*")) == files_before
    # Exactly at the limit is accepted.
    page.post(reverse("exchanges:upload", args=[r.pk]), {"file": SimpleUploadedFile("max.txt", b"x" * 1000)})
    assert r.attachments.filter(original_name="max.txt").exists()


def test_request_bodies_above_djangos_limits_are_a_400_and_change_nothing(world, client_for, fr_handler, token, caplog):
    r = world["request"]
    page = client_for(fr_handler)
    api = Client(HTTP_AUTHORIZATION=f"Bearer {token[1]}")
    big = "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)
    many = {f"field{i}": "x" for i in range(settings.DATA_UPLOAD_MAX_NUMBER_FIELDS + 1)}
    before = snapshot()
    for label, response in {
        "big form on compose": page.post(
            reverse("exchanges:compose"),
            {"requester": world["authority"].pk, "legal_area": "professional_qualifications", "free_text": big},
        ),
        "big form on an action": page.post(reverse("exchanges:act", args=[r.pk]), act_data(r, "note", text=big)),
        "big JSON body": api.post(
            f"/api/v1/requests/{r.pk}/actions/note", {"text": big}, content_type="application/json"
        ),
        "too many fields": page.post(reverse("exchanges:act", args=[r.pk]), {**act_data(r, "withdraw"), **many}),
    }.items():
        assert response.status_code == 400, label
    assert snapshot() == before
    loggers = {rec.name for rec in caplog.records}
    assert {"django.security.RequestDataTooBig", "django.security.TooManyFieldsSent"} <= loggers


# -- 6. Script in every text field -------------------------------------------------------------


def text_fields(fields: dict) -> dict[str, forms.CharField]:
    """The free-text fields of a form: every CharField (and subclass) a person types into."""
    return {
        name: field
        for name, field in fields.items()
        if isinstance(field, forms.CharField) and not isinstance(field.widget, forms.PasswordInput | forms.HiddenInput)
    }


def stored_text_fields(fields: dict) -> dict[str, forms.CharField]:
    """Text fields whose value can be stored as typed: e-mail and web addresses are refused
    unless well-formed (shown again in the form, which the previous test checks)."""
    return {n: f for n, f in text_fields(fields).items() if not isinstance(f, forms.EmailField | forms.URLField)}


def hostile(payload: str, tag: str, max_length: int | None = None) -> str:
    value = f"{payload} {tag}"
    return value[:max_length] if max_length else value


def assert_escaped(html: str, values, where: str) -> None:
    for marker in RAW_MARKERS:
        assert marker not in html, f"{where} shows {marker!r} unescaped"
    for value in values:
        assert escape(value) in html, f"{where} does not show {value!r} (escaped)"


def _invitation_path(w) -> str:
    _authority, link = directory_services.authority_invite(
        actor=User.objects.get(email="claire.coordinator@dge.example"),
        email="new@mairie.example",
        official_name="Mairie de Lens",
        country="FR",
        legal_areas=["services"],
    )
    return link.removeprefix(settings.SITE_URL)


# (who, method, path, form fields, other values). Each form comes back with the values typed:
# a search refresh, or an invalid e-mail address or password pair.
FORM_PAGES = {
    "compose a request": (
        "fr_handler",
        "post",
        lambda w: reverse("exchanges:compose"),
        ComposeForm.base_fields,
        lambda w: {"requester": w["authority"].pk, "legal_area": "professional_qualifications", "find": "1"},
    ),
    "register an authority": (
        "fr_coordinator",
        "post",
        lambda w: reverse("directory:register"),
        AuthorityForm.base_fields,
        lambda w: {"official_language": "fr", "kind": "other", "country": "FR", "title_language": "fr"},
    ),
    "edit an authority": (
        "fr_admin",
        "post",
        lambda w: reverse("directory:edit", args=[w["authority"].pk]),
        AuthorityForm.base_fields,
        lambda w: {"official_language": "fr", "kind": "other", "title_language": "fr"},
    ),
    "self-registration": (
        None,
        "post",
        _invitation_path,
        JoinForm.base_fields,
        lambda w: {"official_language": "fr", "kind": "other", "admin_password": "a", "admin_password2": "b"},
    ),
    "invite an authority": (
        "fr_coordinator",
        "post",
        lambda w: reverse("directory:invite"),
        InviteForm.base_fields,
        lambda w: {"country": "FR"},
    ),
    "add a member": (
        "fr_admin",
        "post",
        lambda w: reverse("directory:members", args=[w["authority"].pk]),
        MemberForm.base_fields,
        lambda w: {"roles": ["observer:*"]},
    ),
    "appoint a national coordinator": (
        "operator",
        "post",
        lambda w: reverse("directory:operator"),
        NationalCoordinatorForm.base_fields,
        lambda w: {"country": "IT"},
    ),
    "filter requests": ("fr_handler", "get", lambda w: reverse("exchanges:inbox"), BoxForm.base_fields, lambda w: {}),
    # Not a Form: the directory reads these GET parameters itself, cut to these lengths.
    "search the directory": (
        "fr_handler",
        "get",
        lambda w: reverse("directory:list"),
        {name: forms.CharField(max_length=n) for name, n in {"q": 200, "competence": 64, "kind": 32}.items()},
        lambda w: {},
    ),
}


@pytest.mark.parametrize("payload", PAYLOADS)
@pytest.mark.parametrize("page", FORM_PAGES)
def test_script_typed_in_any_form_field_comes_back_escaped(page, payload, world, client_for, request):
    persona, method, path, fields, others = FORM_PAGES[page]
    client = client_for(request.getfixturevalue(persona)) if persona else Client()
    typed = {name: hostile(payload, name, f.max_length) for name, f in text_fields(fields).items()}
    assert typed, f"{page}: no text field found"
    path, others = path(world), others(world)
    before = snapshot()
    response = getattr(client, method)(path, {**others, **typed})
    assert response.status_code == 200, page
    assert_escaped(response.content.decode(), typed.values(), page)
    assert snapshot()["authorities"] == before["authorities"]


def _post_ok(client: Client, path: str, data: dict, label: str) -> None:
    response = client.post(path, data)
    assert response.status_code == 302, f"{label}: {response.content.decode()[:3000]}"


def _act_ok(client: Client, r: InformationRequest, action: str, **fields) -> None:
    r.refresh_from_db()
    version = r.version
    # Irreversible actions are taken on their confirmation page, the others from the request page.
    url = reverse("exchanges:confirm", args=[r.pk, action]) if ACTIONS[action].confirm else None
    client.post(url or reverse("exchanges:act", args=[r.pk]), act_data(r, action, **fields))
    r.refresh_from_db()
    assert r.version == version + 1, f"{action} did not happen"


@pytest.mark.parametrize("payload", PAYLOADS)
def test_script_in_stored_text_is_escaped_on_every_page_that_shows_it(
    payload, client_for, fr_admin, fr_authority, fr_coordinator, de_authority, de_handler, media_root
):
    """Every text a person can store goes in with a script: the authority's entry (edited and
    registered), a new member's name, every field of a request, one message of every kind,
    every answer of text type and a document's name. Then every page that shows them."""
    fr_authority.requests_need_approval = True  # so that a coordinator can also write a rejection
    fr_authority.save()
    de_other = AuthorityFactory(
        official_name="Architektenkammer Bayern", country_id="DE", areas=["professional_qualifications"]
    )
    de_other_handler = UserFactory(language="de")
    member(de_other_handler, de_other, "request_handler")
    admin, coordinator, responder = client_for(fr_admin), client_for(fr_coordinator), client_for(de_other_handler)

    # The authority's entry, edited by its local administrator, and a new one registered.
    entry = {n: hostile(payload, n, f.max_length) for n, f in stored_text_fields(AuthorityForm.base_fields).items()}
    edit = {"official_language": "fr", "kind": "other", "title_language": "fr", **entry}
    _post_ok(admin, reverse("directory:edit", args=[fr_authority.pk]), edit, "edit")
    registered = {
        n: hostile(payload, f"new {n}", f.max_length) for n, f in stored_text_fields(AuthorityForm.base_fields).items()
    }
    register = {"official_language": "fr", "kind": "other", "country": "FR", "title_language": "fr", **registered}
    _post_ok(coordinator, reverse("directory:register"), register, "register")
    new_authority = Authority.objects.get(official_name=registered["official_name"])

    # A new member whose name is a script, who then writes the request.
    person = {n: hostile(payload, n, f.max_length) for n, f in stored_text_fields(MemberForm.base_fields).items()}
    added = {"email": "mallory@architectes.example", "roles": ["request_handler:*"], **person}
    _post_ok(admin, reverse("directory:members", args=[fr_authority.pk]), added, "add member")
    mallory = User.objects.get(email="mallory@architectes.example")
    requester = client_for(mallory)
    token_name = hostile(payload, "token", 100)
    _token, raw = token_issue(actor=mallory, authority=fr_authority, name=token_name)

    compose_fields = {f.name for f in InformationRequest._meta.get_fields()}
    subject = {
        n: hostile(payload, n, f.max_length)
        for n, f in stored_text_fields(ComposeForm.base_fields).items()
        if n in compose_fields
    }
    text_questions = [
        q.code
        for q in QuestionSet.objects.get(legal_area_id="professional_qualifications", is_current=True).questions.all()
        if q.type == QuestionType.TEXT and not q.condition_question
    ]
    assert text_questions
    compose = {
        "requester": fr_authority.pk,
        "legal_area": "professional_qualifications",
        "responder": de_authority.pk,
        "questions": ["diploma_authentic", *text_questions],
        "free_text_language": "fr",
        **date_fields("reply_by", REPLY_BY),
        "send": "1",
        **subject,
    }
    _post_ok(requester, reverse("exchanges:compose"), compose, "compose")
    r = InformationRequest.objects.get(created_by=mallory)
    assert r.state == State.AWAITING_APPROVAL

    # One message of every kind, each written through the page's action forms.
    def say(kind: str) -> str:
        return hostile(payload, f"message {kind}")

    _act_ok(coordinator, r, "reject", text=say("rejection"))
    _act_ok(requester, r, "submit")
    _act_ok(coordinator, r, "approve")
    _act_ok(client_for(de_handler), r, "forward", to_authority=de_other.pk, text=say("forward_reason"))
    _act_ok(responder, r, "propose_date", **date_fields("date", REPLY_BY), text=say("date_proposal"))
    _act_ok(responder, r, "accept")
    _act_ok(responder, r, "request_clarification", text=say("clarification_request"))
    _act_ok(requester, r, "give_clarification", text=say("clarification"))
    _act_ok(responder, r, "note", text=say("note"))
    document = hostile(payload, "document") + ".txt"
    responder.post(reverse("exchanges:upload", args=[r.pk]), **multipart(document))
    shown_document = r.attachments.get().original_name
    answer_form = AnswerForm(rows=exchange_selectors.question_rows(r), prefix="answer")
    answers = {n: hostile(payload, n, f.max_length) for n, f in text_fields(answer_form.fields).items()}
    answers["text"] = say("answer")
    r.refresh_from_db()
    version = r.version
    answer = {"version": version, "answer-q_diploma_authentic": "yes"}
    answer.update({f"answer-{n}": v for n, v in answers.items()})
    responder.post(reverse("exchanges:answer", args=[r.pk]), answer)
    r.refresh_from_db()
    assert r.state == State.ANSWERED
    _act_ok(requester, r, "ask_further", text=say("further_question"))
    _act_ok(requester, r, "refer", text=say("referral"))
    _act_ok(coordinator, r, "comment", text=say("comment"))
    _act_ok(requester, r, "withdraw", text=say("withdrawal"))
    kinds = set(Message.objects.filter(request=r).values_list("kind", flat=True))
    assert kinds == set(Message.Kind.values), "a new kind of message needs a step above"
    messages_ = {kind: say(kind) for kind in kinds}

    request_text = [*subject.values(), *answers.values(), *messages_.values()]
    pages = {
        # who, page, what it must show escaped (besides showing nothing raw)
        "requester's request page": (
            requester,
            reverse("exchanges:detail", args=[r.pk]),
            [*subject.values(), *answers.values(), *(t for k, t in messages_.items() if k != "note")]
            + [entry["official_name"], person["full_name"], shown_document],
        ),
        "responder's request page": (
            responder,
            reverse("exchanges:detail", args=[r.pk]),
            request_text + [entry["official_name"], person["full_name"], shown_document],
        ),
        "coordinator's request page": (coordinator, reverse("exchanges:detail", args=[r.pk]), []),
        "translated request page": (responder, reverse("exchanges:detail", args=[r.pk]) + "?translate=1", []),
        "inbox": (responder, reverse("exchanges:inbox"), [entry["official_name"]]),
        "outbox": (requester, reverse("exchanges:outbox"), [person["full_name"]]),
        "inbox search": (responder, reverse("exchanges:inbox") + "?q=" + quote(payload), [payload]),
        "outbox search": (requester, reverse("exchanges:outbox") + "?q=" + quote(payload), [payload]),
        "coordination": (coordinator, reverse("exchanges:coordination"), []),
        "directory": (requester, reverse("directory:list"), [entry["official_name"], entry["title"]]),
        "directory search": (
            requester,
            reverse("directory:list") + "?q=" + quote(payload),
            [payload],
        ),
        "directory entry": (
            admin,
            reverse("directory:detail", args=[fr_authority.pk]),
            [*entry.values(), person["full_name"]],
        ),
        "registered entry": (
            coordinator,
            reverse("directory:detail", args=[new_authority.pk]),
            list(registered.values()),
        ),
        "edit form": (admin, reverse("directory:edit", args=[fr_authority.pk]), list(entry.values())),
        "draft form": (requester, reverse("exchanges:compose") + f"?requester={fr_authority.pk}", []),
        "members": (admin, reverse("directory:members", args=[fr_authority.pk]), [person["full_name"]]),
        "home": (requester, reverse("web:home"), [entry["official_name"]]),
        "profile": (requester, reverse("accounts:profile"), [person["full_name"], token_name, entry["official_name"]]),
        "notifications": (requester, reverse("notifications:list"), [person["full_name"]]),
    }
    for label, (client, path, shown) in pages.items():
        response = client.get(path)
        assert response.status_code == 200, label
        assert_escaped(response.content.decode(), shown, label)

    # The API hands the same text back unchanged, as JSON that no browser renders as a page.
    api = Client(HTTP_AUTHORIZATION=f"Bearer {raw}")
    response = api.get(f"/api/v1/requests/{r.pk}")
    assert response["Content-Type"].startswith("application/json")
    assert response["X-Content-Type-Options"] == "nosniff"
    body = response.json()
    assert body["subject"]["name"] == subject["subject_name"]
    assert body["free_text"]["text"] == subject["free_text"]
    assert {m["kind"]: m["text"] for m in body["messages"]} == {k: t for k, t in messages_.items() if k != "note"}
    assert [a["name"] for a in body["attachments"]] == [shown_document]
    assert {q["code"]: q["answer"] for q in body["questions"]}[text_questions[0]] == answers[f"q_{text_questions[0]}"]
    assert api.get(f"/api/v1/authorities/{fr_authority.pk}").json()["official_name"] == entry["official_name"]
    assert api.get("/api/v1/me").json()["full_name"] == person["full_name"]
    suggest = requester.get(reverse("directory:suggest"), {"q": "architectes"})
    assert suggest["Content-Type"] == "application/json"


# -- 7. Odd query strings on every page ------------------------------------------------------

ODD_VALUES = {
    "NUL": "\x00",
    "negative": "-1",
    "huge number": "9" * 40,
    "superscript digit": "²",  # str.isdigit() says yes, int() says no
    "unknown choice": "unknown",
}
PARAMETERS = sorted(
    {"page", "page_size", "sort", "q", "translate", "next", "status", "competence", "region", "kind", "box"}
    | set(BoxForm.base_fields)
    | set(ComposeForm.base_fields)
)


def parameters_read(client: Client, path: str, monkeypatch) -> set[str]:
    """The query parameters a page reads, found by recording what it asks its QueryDict for
    during one request (bound with a dummy parameter, so that its forms read every field)."""
    read: set[str] = set()
    for method in ("get", "__getitem__", "getlist", "__contains__"):
        original = getattr(QueryDict, method)

        def recording(self, key, *args, _original=original, **kwargs):
            read.add(key)
            return _original(self, key, *args, **kwargs)

        monkeypatch.setattr(QueryDict, method, recording)
    try:
        client.get(path, {"probe": "1"})
    finally:
        monkeypatch.undo()
    return read - {"probe"}


def test_odd_query_strings_never_cause_a_server_error(
    world, client_for, fr_handler, fr_coordinator, operator, monkeypatch
):
    """Every GET URL pattern (from the resolver), for a participant, a coordinator, the operator
    and a visitor, with 70-bit numbers in the path too: each parameter the page reads (found by
    recording its reads) set alone to NUL, -1, a 40-digit number, "²" or an unknown value; and
    every parameter any page reads set to one of those at once."""
    patterns = [p for p in walk() if not p.startswith(SKIP_PREFIXES)]
    huge = SimpleNamespace(pk=2**70)
    huge_world = {key: huge if hasattr(value, "pk") else value for key, value in world.items()}
    clients = {
        "participant": client_for(fr_handler),
        "coordinator": client_for(fr_coordinator),
        "operator": client_for(operator),
        "visitor": Client(),
    }
    before = snapshot()
    checked, discovered = 0, set()
    for persona, client in clients.items():
        for pattern in patterns:
            for path in {fill(pattern, world), fill(pattern, huge_world)}:
                names = parameters_read(client, path, monkeypatch)
                discovered |= names
                queries = [{name: value} for name in sorted(names) for value in ODD_VALUES.values()]
                queries += [dict.fromkeys(PARAMETERS, value) for value in ODD_VALUES.values()]
                for query in queries:
                    response = client.get(path, query)
                    assert response.status_code < 500, f"{persona} GET {path} with {query!r}"
                    checked += 1
    assert {"page", "q", "sort", "state", "requester", "legal_area"} <= discovered  # the recording works
    assert snapshot()["requests"] == before["requests"]
    print(f"odd query strings: {checked} page requests; parameters read: {sorted(discovered)}")


def test_odd_query_strings_on_every_api_read_never_cause_a_server_error(world, token):
    """Every API read (from the OpenAPI document), each of its query parameters set alone to
    each odd value, with real and 70-bit identifiers in the path: a JSON answer, never a 5xx."""
    schema = Client().get("/api/v1/openapi.json").json()
    client = Client(HTTP_AUTHORIZATION=f"Bearer {token[1]}")
    ids = {"request_id": world["request"].pk, "authority_id": world["authority"].pk}
    ids["attachment_id"] = world["attachment"].pk
    checked = 0
    for path, item in schema["paths"].items():
        if "get" not in item:
            continue
        names = [p["name"] for p in item["get"].get("parameters", []) if p["in"] == "query"]
        for values in (ids, dict.fromkeys(ids, 2**70)):
            url = re.sub(r"\{(\w+)\}", lambda m, v=values: str(v.get(m.group(1), 1)), path)
            for name in [*names, "unknown"]:
                for label, value in ODD_VALUES.items():
                    response = client.get(url, {name: value})
                    assert response.status_code < 500, f"GET {url} with {name}={label}"
                    if response.status_code >= 400 and response["Content-Type"].startswith("application/json"):
                        assert response.json()["errors"], url
                    checked += 1
    assert checked >= 100
    print(f"odd query strings: {checked} API requests")


@pytest.mark.parametrize("raw_id", ["²", "9" * 40, "-1", "1e3", "١٢"])
def test_odd_ids_in_an_import_file_are_line_errors(client_for, fr_coordinator, raw_id):
    content = f"id;official_name;official_language;country;city\n{raw_id};Mairie de Sens;fr;FR;Sens\n"
    response = client_for(fr_coordinator).post(
        reverse("directory:import"), {"file": SimpleUploadedFile("a.csv", content.encode())}
    )
    assert response.status_code == 200
    assert response.context["report"].error_count == 1
    assert not Authority.objects.filter(official_name="Mairie de Sens").exists()
