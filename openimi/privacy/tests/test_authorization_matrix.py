"""Every URL pattern and every API operation, discovered from the URL resolver and the
OpenAPI document (so a new one cannot escape), tried by each persona that must not reach a
French authority's private data or its request with Germany: an outsider, a handler of
another authority, a coordinator out of scope, and the operator. None may read the personal
data or change anything."""

import re

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from openimi.accounts.services import token_issue
from openimi.directory.models import Authority
from openimi.exchanges.models import InformationRequest
from openimi.exchanges.services import request_act, request_create
from openimi.exchanges.tests.test_workflow import draft_data
from openimi.notifications.models import Notification
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
    from django.core.files.uploadedfile import SimpleUploadedFile

    from openimi.exchanges.services import attachment_add

    attachment = attachment_add(
        actor=fr_handler,
        request=r,
        upload=SimpleUploadedFile("diploma.pdf", b"%PDF-1.4 test", content_type="application/pdf"),
    )
    other = AuthorityFactory(
        official_name="Ordine degli Architetti di Roma", country_id="IT", areas=["professional_qualifications"]
    )
    from openimi.privacy.services import subject_data_contest, subject_request_create

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
    }
    path = re.sub(r"<(?:\w+:)?(\w+)>", lambda m: str(values.get(m.group(1), 1)), pattern)
    return "/" + path.lstrip("^").rstrip("$")


def snapshot(world):
    r = InformationRequest.objects.get(pk=world["request"].pk)
    a = Authority.objects.get(pk=world["authority"].pk)
    from openimi.privacy.models import ContestMark, SubjectRequest

    subject_request = SubjectRequest.objects.get(pk=world["subject_request"].pk)
    return (
        (r.state, r.version, r.responder_id, r.subject_name, r.subject_address)
        + (a.status, a.updated_at, a.memberships.count(), r.attachments.count())
        + (subject_request.status, ContestMark.objects.filter(lifted_at__isnull=True).count())
    )


def assert_nothing_leaks(response, label):
    assert response.status_code < 500, label
    body = response.content.decode(errors="replace")
    for marker in SECRET_MARKERS:
        assert marker not in body, f"{label} shows {marker!r}"


def test_no_page_leaks_or_changes_anything(world, client_for):
    patterns = [p for p in walk() if not p.startswith(SKIP_PREFIXES)]
    assert len(patterns) > 40
    checked = 0
    before = snapshot(world)
    for persona, (user, _authority) in world["personas"].items():
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
                        "reason": "x",
                        "remove": "1",
                        "text": "x",
                        "roles": ["observer:*"],
                        "outcome": "x",
                        f"r{world['request'].pk}-subject_address": "x",
                    },
                )
                assert_nothing_leaks(response, f"{persona} {method.upper()} {path}")
                checked += 1
    assert snapshot(world) == before
    assert checked == 2 * 4 * len(patterns)
    print(f"authorization matrix (pages): {len(patterns)} URL patterns x 2 methods x 4 personas = {checked}")


def test_no_api_operation_leaks_or_changes_anything(world):
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
    for persona, (user, authority) in world["personas"].items():
        headers = {}
        if authority is not None:
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
            response = (
                getattr(client, method)(
                    url, {"reason": "x"} if method != "get" else {}, content_type="application/json"
                )
                if method != "get"
                else client.get(url, TRANSLATE_API)
            )
            assert_nothing_leaks(response, f"{persona} {method.upper()} {url}")
            checked += 1
    assert snapshot(world) == before
    assert checked == 4 * len(operations)
    print(f"authorization matrix (API): {len(operations)} operations x 4 personas = {checked}")


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
