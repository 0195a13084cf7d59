"""Every URL pattern and every API operation, discovered from the URL resolver and the
OpenAPI document (so a new one cannot escape), tried by each persona that must not reach a
French authority's private data or its request with Germany: an outsider, a handler of
another authority, a coordinator out of scope, and the operator. None may read the personal
data or change anything. Then the members of that French authority once it is suspended
(their old sessions and tokens, and fresh sign-ins), and the observers and alert handlers
of both sides, who may take no action and upload nothing."""

import re

import pytest
from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from openimi.directory.members import token_issue
from openimi.directory.models import Authority
from openimi.directory.services import authority_suspend as suspend
from openimi.exchanges.models import InformationRequest
from openimi.exchanges.permissions import available_actions
from openimi.exchanges.services import attachment_add, request_act, request_create
from openimi.exchanges.tests.test_workflow import draft_data
from openimi.exchanges.workflow import ACTIONS
from openimi.notifications.models import Notification
from openimi.privacy.models import ContestMark, SubjectRequest
from openimi.privacy.services import subject_data_contest, subject_request_create
from openimi.tests.factories import AuthorityFactory, UserFactory, member

SECRET_MARKERS = [
    "Jean Dupont",
    "ARCH-75-1234",
    "Merci de vérifier le diplôme.",
    "alice.admin@architectes.example",
    "francois.handler@architectes.example",
    "The date of birth is wrong.",
]
# Every GET also asks for a machine translation: a translation says what the original says.
TRANSLATE_PAGE = {"translate": "1"}
TRANSLATE_API = {"translate_to": "en"}
SKIP_PREFIXES = ("admin/", "i18n/", "static/", "api/v1/")  # admin: staff only; API walked from OpenAPI below


def walk(resolver=None, prefix=""):
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        pattern = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            yield from walk(entry, pattern)
        elif isinstance(entry, URLPattern):
            yield pattern


@pytest.fixture
def world(fr_handler, fr_admin, fr_authority, de_authority, de_handler, de_coordinator, outsider, operator):
    r = request_create(actor=fr_handler, requester=fr_authority, data=draft_data(de_authority))
    r = request_act(actor=fr_handler, request=r, action="submit")
    attachment = attachment_add(
        actor=fr_handler,
        request=r,
        upload=SimpleUploadedFile("diploma.pdf", b"%PDF-1.4 test", content_type="application/pdf"),
    )
    other = AuthorityFactory(
        official_name="Ordine degli Architetti di Roma", country_id="IT", areas=["professional_qualifications"]
    )
    subject_request = subject_request_create(
        actor=fr_admin, authority=fr_authority, kind="access", person_name="Jean Dupont"
    )
    mark = subject_data_contest(
        actor=fr_admin, subject_request=subject_request, request_pk=r.pk, reason="The date of birth is wrong."
    )
    stranger = UserFactory(email="sandro@ordine.example")
    member(stranger, other, "request_handler")
    member(stranger, other, "local_admin")
    return {
        "request": r,
        "attachment": attachment,
        "authority": fr_authority,
        "membership": fr_authority.memberships.get(user=fr_admin),
        "subject_request": subject_request,
        "mark": mark,
        "personas": {
            "outsider": (outsider, None),
            "other authority": (stranger, other),
            "coordinator out of scope": (de_coordinator, de_coordinator.memberships.get().authority),
            "operator": (operator, None),
        },
    }


def fill(pattern: str, world, request=None) -> str:
    r, authority = request or world["request"], world["authority"]
    pks = {
        "requests/": r.pk,
        "data-protection/subject-requests/": world["subject_request"].pk,
        "data-protection/contest-marks/": world["mark"].pk,
    }
    values = {
        "pk": next((pk for prefix, pk in pks.items() if pattern.startswith(prefix)), authority.pk),
        "request_pk": r.pk,
        "member_pk": world["membership"].pk,
        "attachment_pk": world["attachment"].pk,
        "token": "forged-token",
        "uidb64": "MQ",
        "authority_id": authority.pk,
        "request_id": r.pk,
        "action": "withdraw",  # an action's confirmation page (requests/<pk>/act/<action>/)
    }
    path = re.sub(r"<(?:\w+:)?(\w+)>", lambda m: str(values.get(m.group(1), 1)), pattern)
    return "/" + path.lstrip("^").rstrip("$")


def snapshot(world):
    r = InformationRequest.objects.get(pk=world["request"].pk)
    a = Authority.objects.get(pk=world["authority"].pk)
    subject_request = SubjectRequest.objects.get(pk=world["subject_request"].pk)
    return (
        (r.state, r.version, r.responder_id, r.subject_name, r.subject_address)
        + (a.status, a.updated_at, a.memberships.count(), r.attachments.count())
        + (subject_request.status, ContestMark.objects.filter(lifted_at__isnull=True).count())
    )


def assert_nothing_leaks(response, label, markers=SECRET_MARKERS):
    assert response.status_code < 500, label
    body = response.content.decode(errors="replace")
    for marker in markers:
        assert marker not in body, f"{label} shows {marker!r}"


def walk_pages(world, client_for, personas, markers=SECRET_MARKERS) -> int:
    patterns = [p for p in walk() if not p.startswith(SKIP_PREFIXES)]
    assert len(patterns) > 40
    checked = 0
    before = snapshot(world)
    for persona, (user, _authority) in personas.items():
        for pattern in patterns:
            path = fill(pattern, world)
            for method in ("get", "post"):
                client = client_for(user)  # a fresh session each time: "sign out" must not end the walk early
                response = getattr(client, method)(
                    path,
                    TRANSLATE_PAGE
                    if method == "get"
                    else {
                        "action": "withdraw",
                        # The confirmation page's form, complete: only the permission refuses it.
                        "withdraw-action": "withdraw",
                        "withdraw-version": world["request"].version,
                        "withdraw-text": "x",
                        "reason": "x",
                        "remove": "1",
                        "text": "x",
                        "roles": ["observer:*"],
                        "outcome": "x",
                        f"r{world['request'].pk}-subject_address": "x",
                        "file": SimpleUploadedFile("more.pdf", b"%PDF-1.4 more", content_type="application/pdf"),
                    },
                )
                assert_nothing_leaks(response, f"{persona} {method.upper()} {path}", markers)
                checked += 1
    assert snapshot(world) == before
    assert checked == 2 * len(personas) * len(patterns)
    print(f"authorization matrix (pages): {len(patterns)} URL patterns x 2 methods x {len(personas)} personas")
    return checked


def test_no_page_leaks_or_changes_anything(world, client_for):
    walk_pages(world, client_for, world["personas"])


def walk_api(world, personas, markers=SECRET_MARKERS, tokens=None) -> int:
    schema = Client().get("/api/v1/openapi.json").json()
    operations = [
        (path, method)
        for path, item in schema["paths"].items()
        for method in item
        if method in ("get", "post", "patch", "put", "delete")
    ]
    assert len(operations) >= 12
    before = snapshot(world)
    checked = 0
    for persona, (user, authority) in personas.items():
        headers = {}
        if tokens and persona in tokens:
            headers["HTTP_AUTHORIZATION"] = f"Bearer {tokens[persona]}"
        elif authority is not None:
            headers["HTTP_AUTHORIZATION"] = f"Bearer {token_issue(actor=user, authority=authority, name='m')[1]}"
        client = Client(**headers)
        for path, method in operations:
            values = {
                "request_id": world["request"].pk,
                "authority_id": world["authority"].pk,
                "attachment_id": world["attachment"].pk,
                "action": "withdraw",
            }
            url = re.sub(r"\{(\w+)\}", lambda m, v=values: str(v.get(m.group(1), 1)), path)
            if url.endswith("/attachments") and method == "post":
                upload = SimpleUploadedFile("more.pdf", b"%PDF-1.4 more", content_type="application/pdf")
                response = client.post(url, {"file": upload})
            elif method != "get":
                response = getattr(client, method)(url, {"reason": "x"}, content_type="application/json")
            else:
                response = client.get(url, TRANSLATE_API)
            assert_nothing_leaks(response, f"{persona} {method.upper()} {url}", markers)
            checked += 1
    assert snapshot(world) == before
    assert checked == len(personas) * len(operations)
    print(f"authorization matrix (API): {len(operations)} operations x {len(personas)} personas = {checked}")
    return checked


def test_no_api_operation_leaks_or_changes_anything(world):
    walk_api(world, world["personas"])


def old_session(client: Client):
    """A client factory: each call gives a new client carrying a copy of ``client``'s session
    as it was when this was called (so that the walk's sign-out does not end the walk)."""
    data = dict(client.session.items())

    def factory(_user):
        copy = Client()
        session = SessionStore()
        session.update(data)
        session.create()
        copy.cookies[settings.SESSION_COOKIE_NAME] = session.session_key
        return copy

    return factory


@pytest.fixture
def suspended(world, fr_handler, fr_admin, fr_coordinator, client_for):
    """France's authority suspended after its members signed in and took API tokens. Their
    own e-mail addresses may appear (on their own account page); nothing else may."""
    authority = world["authority"]
    personas = {"suspended handler": (fr_handler, authority), "suspended admin": (fr_admin, authority)}
    tokens = {name: token_issue(actor=user, authority=a, name="before")[1] for name, (user, a) in personas.items()}
    sessions = {name: old_session(client_for(user)) for name, (user, _a) in personas.items()}
    for factory in sessions.values():  # the old sessions do reach the request before
        assert factory(None).get(reverse("exchanges:detail", args=[world["request"].pk])).status_code == 200
    suspend(actor=fr_coordinator, authority=authority, reason="Merged into another body")
    markers = [m for m in SECRET_MARKERS if m not in (fr_handler.email, fr_admin.email)]
    return {"personas": personas, "tokens": tokens, "sessions": sessions, "markers": markers}


def test_a_suspended_authority_s_members_reach_nothing_in_pages(world, suspended, client_for):
    # Sessions signed in before the suspension, then fresh sign-ins.
    for name, factory in suspended["sessions"].items():
        walk_pages(world, factory, {name: suspended["personas"][name]}, suspended["markers"])
    walk_pages(world, client_for, suspended["personas"], suspended["markers"])


def test_a_suspended_authority_s_members_reach_nothing_in_the_api(world, suspended):
    walk_api(world, suspended["personas"], suspended["markers"], tokens=suspended["tokens"])


@pytest.mark.parametrize("role", ["observer", "alert_handler"])
def test_observers_and_alert_handlers_take_no_action_and_upload_nothing(world, client_for, role):
    r = world["request"]
    readers = {}
    for authority in (r.requester, r.responder):
        reader = UserFactory()
        member(reader, authority, role)
        readers[f"{role} of {authority.country_id}"] = (reader, authority)
        assert available_actions(reader, r) == []
    before = snapshot(world)
    for name, (reader, authority) in readers.items():
        api = Client(HTTP_AUTHORIZATION=f"Bearer {token_issue(actor=reader, authority=authority, name='m')[1]}")
        for action in ACTIONS:
            response = api.post(f"/api/v1/requests/{r.pk}/actions/{action}", {}, content_type="application/json")
            assert response.status_code in (403, 404, 422), (name, action, response.status_code)
            page = client_for(reader).post(reverse("exchanges:act", args=[r.pk]), {"action": action})
            assert page.status_code in (302, 404), (name, action)
        upload = SimpleUploadedFile("more.pdf", b"%PDF-1.4 more", content_type="application/pdf")
        assert api.post(f"/api/v1/requests/{r.pk}/attachments", {"file": upload}).status_code == 403, name
        upload.seek(0)
        client_for(reader).post(reverse("exchanges:upload", args=[r.pk]), {"file": upload})
    assert snapshot(world) == before


# A request that has not been sent yet (a draft, or one awaiting the sender's coordinator's
# approval, which may still return it) must not reach the responder on any channel.
UNSENT_MARKERS = ["Pierre Brouillon", "DRAFT-99-0001", "Brouillon confidentiel."]


@pytest.fixture(params=["draft", "awaiting_approval"])
def unsent(request, fr_handler, fr_authority, de_authority, fr_coordinator):
    r = request_create(
        actor=fr_handler,
        requester=fr_authority,
        data=draft_data(
            de_authority,
            subject_name=UNSENT_MARKERS[0],
            subject_identifiers=UNSENT_MARKERS[1],
            free_text=UNSENT_MARKERS[2],
        ),
    )
    if request.param == "awaiting_approval":
        fr_authority.requests_need_approval = True
        fr_authority.save(update_fields=["requests_need_approval"])
        r = request_act(actor=fr_handler, request=r, action="submit")
    assert r.state == request.param
    return r


def test_the_responder_reaches_no_unsent_request_on_any_page_or_operation(world, unsent, de_handler, client_for):
    """The responder's handler walks every page and every API operation aimed at the unsent
    request (with machine translation asked for): nothing shows it, nothing changes it, its
    reference is nowhere, and no notification tells of it."""
    before = (unsent.state, unsent.version, unsent.subject_name)
    hidden = [*UNSENT_MARKERS, *([unsent.reference] if unsent.reference else [])]
    for pattern in [p for p in walk() if not p.startswith(SKIP_PREFIXES)]:
        path = fill(pattern, world, unsent)
        for method in ("get", "post"):
            response = getattr(client_for(de_handler), method)(
                path, TRANSLATE_PAGE if method == "get" else {"action": "withdraw", "text": "x"}
            )
            label = f"responder {method.upper()} {path} ({unsent.state})"
            assert response.status_code < 500, label
            body = response.content.decode(errors="replace")
            assert all(marker not in body for marker in hidden), label
            if f"/requests/{unsent.pk}/" in path and method == "get":
                assert response.status_code in (404, 405), label  # 405: a form's target, POST only
    schema = Client().get("/api/v1/openapi.json").json()
    raw = token_issue(actor=de_handler, authority=de_handler.memberships.get().authority, name="m")[1]
    api = Client(HTTP_AUTHORIZATION=f"Bearer {raw}")
    for path, item in schema["paths"].items():
        for method in [m for m in item if m in ("get", "post", "patch", "put", "delete")]:
            values = {"request_id": unsent.pk, "authority_id": world["authority"].pk, "action": "withdraw"}
            url = re.sub(r"\{(\w+)\}", lambda m, v=values: str(v.get(m.group(1), 1)), path)
            if method == "get":
                response = api.get(url, TRANSLATE_API)
            else:
                response = getattr(api, method)(url, {"text": "x"}, content_type="application/json")
            label = f"responder API {method.upper()} {url} ({unsent.state})"
            assert response.status_code < 500, label
            body = response.content.decode(errors="replace")
            assert all(marker not in body for marker in hidden), label
            if "{request_id}" in path and method == "get":
                assert response.status_code == 404, label
    for q in ["Brouillon", "DRAFT-99", *([unsent.reference] if unsent.reference else [])]:
        listing = api.get("/api/v1/requests", {"box": "inbox", "q": q}).json()
        assert listing["count"] == 0 and listing["counts"].get(unsent.state, 0) == 0, q
    unsent.refresh_from_db()
    assert (unsent.state, unsent.version, unsent.subject_name) == before
    assert not Notification.objects.filter(recipient=de_handler, request=unsent).exists()
