"""Typed contracts: every operation's answer is described in the OpenAPI document, down to the
last field, and the dicts the endpoints build have exactly the keys their schemas declare (a key
missing from the schema would be dropped silently by the response validation)."""

import types
import typing

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from pydantic import BaseModel

from openimi.directory.members import token_issue
from openimi.exchanges import selectors as exchange_selectors
from openimi.exchanges.api import QuestionSetOut, RequestDetailOut, detail, question_sets
from openimi.exchanges.services import attachment_add, request_act, request_create
from openimi.exchanges.tests.test_workflow import ANSWERS, draft_data
from openimi.privacy import selectors as privacy_selectors
from openimi.privacy.api import SubjectExportOut
from openimi.privacy.services import subject_data_contest, subject_request_create

TYPED = ("type", "$ref", "anyOf", "oneOf", "allOf", "enum", "const")

# Free-form on purpose, with the reason; anything else must say what it holds.
FREE_FORM = {
    # Keyed by the codes of the request's questions, each value of its question's type (a code,
    # a date, a number, a text, option codes or attachment ids): only the question set knows.
    "ActionIn.answers",
}


def _loose(node: dict, where: str, found: list[str]) -> None:
    """Collect the places in ``node`` whose content is not described."""
    if not any(key in node for key in TYPED):
        found.append(where)  # {} or a bare title: any JSON at all
    is_object = node.get("type") == "object"
    if is_object and not node.get("properties") and node.get("additionalProperties") in (None, True):
        found.append(where)  # an object with any keys and any values
    for name, sub in node.get("properties", {}).items():
        _loose(sub, f"{where}.{name}", found)
    for key in ("items", "additionalProperties"):
        if isinstance(node.get(key), dict):
            _loose(node[key], f"{where}[]", found)
    for key in ("anyOf", "oneOf", "allOf"):
        for sub in node.get(key, []):
            _loose(sub, where, found)


@pytest.fixture
def document(db):
    return Client().get("/api/v1/openapi.json").json()


def test_every_operation_describes_its_successful_answer(document):
    undescribed = []
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            successes = {code: r for code, r in operation["responses"].items() if str(code).startswith("2")}
            assert successes, f"{method} {path} declares no successful answer"
            for code, response in successes.items():
                for media, content in response.get("content", {"": {}}).items():
                    schema = content.get("schema", {})
                    found: list[str] = []
                    _loose(schema, f"{method} {path} {code} {media}", found)
                    undescribed += found
    assert undescribed == []


def test_no_schema_of_the_document_is_a_shapeless_object(document):
    found: list[str] = []
    for name, schema in document["components"]["schemas"].items():
        _loose(schema, name, found)
    assert set(found) == FREE_FORM


def _model_of(annotation) -> type[BaseModel] | None:
    """The schema class inside ``X``, ``X | None`` or ``list[X]``, if any."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    if typing.get_origin(annotation) in (typing.Union, types.UnionType, list):
        for arg in typing.get_args(annotation):
            if model := _model_of(arg):
                return model
    return None


def assert_same_keys(value, model: type[BaseModel], where: str = "") -> None:
    """``value`` (built by an endpoint) has every key ``model`` requires and no other, all the
    way down."""
    if isinstance(value, list):
        for i, item in enumerate(value):
            assert_same_keys(item, model, f"{where}[{i}]")
        return
    if value is None:
        return
    assert isinstance(value, dict), where
    fields = model.model_fields
    required = {name for name, field in fields.items() if field.is_required()}
    assert set(value) - set(fields) == set(), f"{where}: keys the schema {model.__name__} does not declare"
    assert required - set(value) == set(), f"{where}: keys of {model.__name__} the dict lacks"
    for name, item in value.items():
        if inner := _model_of(fields[name].annotation):
            assert_same_keys(item, inner, f"{where}.{name}")


@pytest.fixture
def answered(fr_handler, fr_authority, de_authority, de_handler):
    r = request_create(actor=fr_handler, requester=fr_authority, data=draft_data(de_authority))
    r = request_act(actor=fr_handler, request=r, action="submit")
    r = request_act(actor=de_handler, request=r, action="accept")
    r = request_act(actor=fr_handler, request=r, action="note", text="Vu.", language="fr")
    pdf = SimpleUploadedFile("diplome.pdf", b"%PDF-1.4\n%test\n", content_type="application/pdf")
    attachment_add(actor=de_handler, request=r, upload=pdf)
    return request_act(actor=de_handler, request=r, action="answer", answers=ANSWERS, text="Echt.", language="de")


def test_the_request_detail_has_exactly_the_keys_its_schema_declares(answered, fr_handler):
    body = detail(fr_handler, exchange_selectors.request_get(fr_handler, answered.pk))
    assert body["messages"] and body["attachments"] and body["timeline"]
    assert all(q["answer"] is not None for q in body["questions"])
    assert any(q["condition"] for q in body["questions"])
    assert_same_keys(body, RequestDetailOut)


def test_the_translated_request_detail_has_exactly_the_keys_its_schema_declares(
    answered, fr_handler, fr_authority, settings
):
    settings.TRANSLATION_ENGINES = []  # the German message cannot be translated: a null translation
    _token, raw = token_issue(actor=fr_handler, authority=fr_authority, name="x")
    client = Client(HTTP_AUTHORIZATION=f"Bearer {raw}")
    body = client.get(f"/api/v1/requests/{answered.pk}", {"translate_to": "fr"}).json()
    assert body["free_text"]["translation"]["text"] == answered.free_text
    assert {"translation"} <= set(body["messages"][0])
    assert_same_keys(body, RequestDetailOut)
    assert set(RequestDetailOut.model_fields) == set(body)


def test_the_question_sets_have_exactly_the_keys_their_schema_declares(db, rf):
    sets = question_sets(rf.get("/"), legal_area="")
    assert sets and any(q["options"] for s in sets for q in s["questions"])
    assert_same_keys(sets, QuestionSetOut)


def test_the_subject_export_has_exactly_the_keys_its_schema_declares(answered, fr_admin, fr_authority):
    sr = subject_request_create(actor=fr_admin, authority=fr_authority, kind="access", person_name="Jean Dupont")
    subject_data_contest(actor=fr_admin, subject_request=sr, request_pk=answered.pk, reason="Faux.")
    exported = privacy_selectors.export_data(sr, privacy_selectors.holdings(sr))
    (exchange,) = exported["exchanges"]
    assert exchange["messages"] and exchange["documents"] and exchange["contested"] and exchange["questions"]
    assert_same_keys(exported, SubjectExportOut)
