"""Every free-text input of every service goes through lib/text.clean_text (a NUL byte is a
clear error naming the field, never stored, never a database error on PostgreSQL), and every
number of every API input schema refuses a boolean (pydantic reads ``true`` as 1, so
``"responder": true`` meant authority number 1). The schemas are walked from the API's own
operations, so a new endpoint or field is covered without editing this file."""

import re
import typing

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import translation
from django.utils.translation import gettext

import openimi.urls  # noqa: F401 - registers every router on the API
from openimi.api.api import api
from openimi.directory import members
from openimi.directory import services as directory
from openimi.directory.members import token_issue
from openimi.directory.services import AuthorityData
from openimi.exchanges import services as exchanges
from openimi.exchanges.tests.test_workflow import draft_data
from openimi.privacy import services as privacy
from openimi.tests.factories import AuthorityFactory

NUL = "Jean\x00Dupont"


@pytest.fixture
def sent(fr_handler, fr_authority, de_authority, de_handler):
    r = exchanges.request_create(actor=fr_handler, requester=fr_authority, data=draft_data(de_authority))
    return exchanges.request_act(actor=fr_handler, request=r, action="submit")


def text_inputs(w):
    """(field, call) for every free-text parameter of every service; ``w`` holds the world."""
    subject_request = lambda: privacy.subject_request_create(  # noqa: E731 - one per call, lazily
        actor=w["fr_admin"], authority=w["fr_authority"], kind="access", person_name="Jean Dupont"
    )
    data = lambda **kw: draft_data(w["de_authority"], **kw)  # noqa: E731
    return {
        "directory.authority_suspend reason": (
            "reason",
            lambda: directory.authority_suspend(actor=w["de_coordinator"], authority=w["de_authority"], reason=NUL),
        ),
        "directory.authority_update official_name": (
            "official_name",
            lambda: directory.authority_update(
                actor=w["fr_admin"],
                authority=w["fr_authority"],
                data=AuthorityData(**{**vars(AuthorityData.from_authority(w["fr_authority"])), "official_name": NUL}),
            ),
        ),
        "members.member_add full_name": (
            "full_name",
            lambda: members.member_add(
                actor=w["fr_admin"],
                authority=w["fr_authority"],
                email="new@architectes.example",
                full_name=NUL,
                roles=[("observer", None)],
            ),
        ),
        "members.user_create_local_admin admin_name": (
            "admin_name",
            lambda: members.user_create_local_admin(
                authority=w["pending"], email="first@pending.example", full_name=NUL, password="un mot de passe solide"
            ),
        ),
        "members.user_create_local_admin admin_password": (
            "admin_password",
            lambda: members.user_create_local_admin(
                authority=w["pending"], email="first@pending.example", full_name="Nina", password="un mot\x00de passe"
            ),
        ),
        "members.token_issue name": (
            "name",
            lambda: token_issue(actor=w["fr_handler"], authority=w["fr_authority"], name=NUL),
        ),
        **{
            f"exchanges.request_create {name}": (
                name,
                lambda name=name: exchanges.request_create(
                    actor=w["fr_handler"], requester=w["fr_authority"], data=data(**{name: NUL})
                ),
            )
            for name in ("subject_name", "subject_identifiers", "subject_address", "free_text")
        },
        "exchanges.request_act text": (
            "text",
            lambda: exchanges.request_act(actor=w["fr_handler"], request=w["sent"], action="note", text=NUL),
        ),
        **{
            f"privacy.subject_request_create {name}": (
                name,
                lambda name=name: privacy.subject_request_create(
                    actor=w["fr_admin"], authority=w["fr_authority"], kind="access", **{name: NUL}
                ),
            )
            for name in ("person_name", "person_identifiers", "note")
        },
        "privacy.subject_request_complete outcome": (
            "outcome",
            lambda: privacy.subject_request_complete(
                actor=w["fr_admin"], subject_request=subject_request(), outcome=NUL
            ),
        ),
        "privacy.subject_data_contest reason": (
            "reason",
            lambda: privacy.subject_data_contest(
                actor=w["fr_admin"], subject_request=subject_request(), request_pk=w["sent"].pk, reason=NUL
            ),
        ),
        "privacy.subject_data_rectify subject_name": (
            "subject_name",
            lambda: privacy.subject_data_rectify(
                actor=w["fr_admin"],
                subject_request=subject_request(),
                request_pk=w["sent"].pk,
                changes={"subject_name": NUL},
            ),
        ),
    }


CASES = list(text_inputs(typing.cast(dict, {})))


@pytest.mark.parametrize("case", CASES)
def test_a_nul_byte_in_any_text_input_of_any_service_is_refused_on_its_field(
    case, fr_admin, fr_handler, fr_authority, de_authority, de_coordinator, sent
):
    world = {
        "fr_admin": fr_admin,
        "fr_handler": fr_handler,
        "fr_authority": fr_authority,
        "de_authority": de_authority,
        "de_coordinator": de_coordinator,
        "sent": sent,
        "pending": AuthorityFactory(country_id="FR", status="pending"),
    }
    field, call = text_inputs(world)[case]
    with pytest.raises(ValidationError) as refused:
        call()
    assert field in refused.value.message_dict, refused.value.message_dict


def test_a_nul_byte_in_the_suspension_reason_is_a_clear_api_error(de_coordinator, de_authority):
    coordinator_authority = de_coordinator.memberships.get().authority
    _token, raw = token_issue(actor=de_coordinator, authority=coordinator_authority, name="t")
    response = Client(HTTP_AUTHORIZATION=f"Bearer {raw}").post(
        f"/api/v1/authorities/{de_authority.pk}/suspend", {"reason": NUL}, content_type="application/json"
    )
    assert response.status_code in (400, 422)
    assert response.json()["errors"][0]["field"] == "reason"
    de_authority.refresh_from_db()
    assert de_authority.status == "active"


def _int_fields(model) -> list[str]:
    return [
        name
        for name, field in model.model_fields.items()
        if int in (field.annotation, *typing.get_args(field.annotation)) and field.annotation is not bool
    ]


def body_int_fields():
    """(method, path, schema field) for every number in every API request body."""
    found = []
    for prefix, router in api._routers:
        for path, view in router.path_operations.items():
            for operation in view.operations:
                for params in operation.models:
                    if params.__name__ != "BodyParams":
                        continue
                    for field in params.model_fields.values():
                        for name in _int_fields(field.annotation):
                            found.extend((method, prefix.rstrip("/") + path, name) for method in operation.methods)
    return found


def test_every_number_of_every_api_input_schema_refuses_a_boolean(fr_handler, fr_authority):
    fields = body_int_fields()
    names = {name for _method, _path, name in fields}
    assert {"responder", "version", "to_authority", "handler", "rating_timeliness"} <= names
    _token, raw = token_issue(actor=fr_handler, authority=fr_authority, name="t")
    client = Client(HTTP_AUTHORIZATION=f"Bearer {raw}")
    for method, path, name in fields:
        url = "/api/v1" + re.sub(r"\{\w+\}", "1", path)
        response = getattr(client, method.lower())(url, {name: True}, content_type="application/json")
        assert response.status_code == 422, (method, url, name, response.content)
        errors = {e["field"]: e["message"] for e in response.json()["errors"]}
        with translation.override(fr_handler.language):
            assert gettext("Enter a whole number.") in errors.get(name, ""), (method, url, name, errors)
