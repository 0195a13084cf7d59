"""Dates on request pages, forms and the API: the reader's formats on pages (never American
ones), the three-field input everywhere a date is typed, and ISO 8601 on the API."""

import datetime
import json
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from openimi.exchanges.models import InformationRequest, State
from openimi.exchanges.services import request_act, request_create
from openimi.exchanges.tests.test_api import api, create, post
from openimi.exchanges.tests.test_workflow import draft_data
from openimi.lib import formats
from openimi.tests import queries as counts
from openimi.tests.factories import date_fields

QUESTIONS = ["diploma_authentic", "suspended_or_prohibited", "restriction_since", "experience_years"]
# What American formats look like: month-first numbers, abbreviations with a dot, a.m./p.m.
US_FORMATS = re.compile(
    r"\b\d{1,2}/\d{1,2}/\d{2,4}\b|\b(Jan|Feb|Mar|Apr|Aug|Sept|Oct|Nov|Dec)\. \d|\b[ap]\.m\.", re.IGNORECASE
)


@pytest.fixture
def answered(fr_handler, fr_authority, de_authority, de_handler):
    r = request_create(actor=fr_handler, requester=fr_authority, data=draft_data(de_authority, questions=QUESTIONS))
    r = request_act(actor=fr_handler, request=r, action="submit")
    r = request_act(actor=de_handler, request=r, action="accept")
    answers = {
        "diploma_authentic": "yes",
        "suspended_or_prohibited": "yes",
        "restriction_since": "2025-12-18",
        "experience_years": "1234.5",
    }
    r = request_act(actor=de_handler, request=r, action="answer", answers=answers, text="Ja.", language="de")
    return r


def _page(client, r):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(reverse("exchanges:detail", args=[r.pk]))
    assert response.status_code == 200
    return response.content.decode(), len(captured)


@pytest.mark.parametrize("language", ["mt", "en"])
def test_a_request_page_shows_the_reader_s_formats_and_no_american_ones(answered, fr_handler, client_for, language):
    fr_handler.language = language
    fr_handler.save(update_fields=["language"])
    client = client_for(fr_handler)
    _page(client, answered)  # warm-up: the session's first page loads the second factor
    html, queries = _page(client, answered)
    assert queries == 15 + counts.audit_write()  # the same in both languages: formats come from CLDR, not the database
    assert not US_FORMATS.search(html), US_FORMATS.search(html)
    event = answered.events.order_by("at").first()
    shown = {
        "reply_by": formats.date_long(answered.reply_by, language),
        "answered date": formats.date_long(datetime.date(2025, 12, 18), language),
        "answered number": formats.number("1234.5", language),
        "timeline": formats.datetime_short(event.at, language),
    }
    for what, text in shown.items():
        assert text in html, what
    if language == "mt":
        assert "18 ta’ Diċembru 2025" in html
    else:
        assert "18 December 2025" in html and "1,234.5" in html


def test_composing_with_an_impossible_date_names_the_field_and_saves_nothing(client_for, fr_handler, fr_authority):
    fr_handler.language = "en"
    fr_handler.save(update_fields=["language"])
    response = client_for(fr_handler).post(
        reverse("exchanges:compose"),
        {
            "requester": fr_authority.pk,
            "legal_area": "professional_qualifications",
            "free_text_language": "fr",
            "reply_by-day": "31",
            "reply_by-month": "2",
            "reply_by-year": "2027",
            "save": "1",
        },
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "“Reply by” must be a real date." in html
    assert 'value="31"' in html  # what was typed stays, to be corrected
    assert not InformationRequest.objects.exists()


def test_a_french_order_date_is_saved_as_the_date_the_reader_meant(client_for, fr_handler, fr_authority):
    reply_by = timezone.localdate() + datetime.timedelta(days=40)
    client_for(fr_handler).post(
        reverse("exchanges:compose"),
        {
            "requester": fr_authority.pk,
            "legal_area": "professional_qualifications",
            "free_text_language": "fr",
            **date_fields("reply_by", reply_by),
            **date_fields("subject_birth_date", datetime.date(1970, 2, 12)),
            "save": "1",
        },
    )
    r = InformationRequest.objects.get()
    assert (r.reply_by, r.subject_birth_date) == (reply_by, datetime.date(1970, 2, 12))


def test_a_partial_proposed_date_changes_nothing(answered, client_for, de_handler):
    r = request_create(actor=answered.created_by, requester=answered.requester, data=draft_data(answered.responder))
    r = request_act(actor=answered.created_by, request=r, action="submit")
    r = request_act(actor=de_handler, request=r, action="accept")
    version = r.version
    client_for(de_handler).post(
        reverse("exchanges:act", args=[r.pk]),
        {
            "action": "propose_date",
            "propose_date-action": "propose_date",
            "propose_date-version": version,
            "propose_date-date-day": "12",
            "propose_date-date-year": "2027",
        },
    )
    r.refresh_from_db()
    assert r.version == version and r.proposed_reply_by is None


def test_a_date_answer_typed_in_three_fields_is_stored_as_iso(sent_accepted, client_for, de_handler):
    r = sent_accepted
    response = client_for(de_handler).post(
        reverse("exchanges:answer", args=[r.pk]),
        {
            "version": r.version,
            "answer-q_diploma_authentic": "yes",
            "answer-q_suspended_or_prohibited": "yes",
            **date_fields("answer-q_restriction_since", datetime.date(2024, 3, 9)),
        },
    )
    assert response.status_code == 302
    r.refresh_from_db()
    assert r.state == State.ANSWERED
    assert r.answers.get(question__code="restriction_since").value == "2024-03-09"


def test_an_impossible_date_answer_saves_nothing(sent_accepted, client_for, de_handler):
    r = sent_accepted
    client_for(de_handler).post(
        reverse("exchanges:answer", args=[r.pk]),
        {
            "version": r.version,
            "answer-q_diploma_authentic": "yes",
            "answer-q_suspended_or_prohibited": "yes",
            "answer-q_restriction_since-day": "30",
            "answer-q_restriction_since-month": "2",
            "answer-q_restriction_since-year": "2024",
        },
    )
    r.refresh_from_db()
    assert r.state == State.ACCEPTED and not r.answers.exists()


@pytest.fixture
def sent_accepted(fr_handler, fr_authority, de_authority, de_handler):
    r = request_create(actor=fr_handler, requester=fr_authority, data=draft_data(de_authority, questions=QUESTIONS))
    r = request_act(actor=fr_handler, request=r, action="submit")
    return request_act(actor=de_handler, request=r, action="accept")


@pytest.mark.parametrize("value", ["02/12/2027", "20271202", "2027-12-2", 1796169600, "2027-12-02T00:00:00"])
def test_the_api_takes_only_iso_dates_and_names_the_field(fr_handler, fr_authority, de_authority, value):
    response = create(api(fr_handler, fr_authority), de_authority, reply_by=value)
    assert response.status_code == 422, response.content
    assert [e["field"] for e in response.json()["errors"]] == ["reply_by"]
    assert not InformationRequest.objects.exists()


@pytest.mark.parametrize("value", ["18/12/2025", "20251218", "2025-W51-4"])
def test_the_api_refuses_a_non_iso_date_answer(sent_accepted, de_handler, de_authority, value):
    client = api(de_handler, de_authority)
    body = {
        "answers": {"diploma_authentic": "yes", "suspended_or_prohibited": "yes", "restriction_since": value},
        "text": "Ja.",
        "language": "de",
    }
    response = post(client, f"/api/v1/requests/{sent_accepted.pk}/actions/answer", body)
    assert response.status_code == 422, response.content
    assert "restriction_since" in json.dumps(response.json())
    sent_accepted.refresh_from_db()
    assert sent_accepted.state == State.ACCEPTED


def test_the_api_returns_dates_as_iso(answered, fr_handler, fr_authority):
    body = api(fr_handler, fr_authority).get(f"/api/v1/requests/{answered.pk}").json()
    assert body["reply_by"] == answered.reply_by.isoformat()
    answer = next(q for q in body["questions"] if q["code"] == "restriction_since")
    assert answer["answer"] == "2025-12-18"


@pytest.mark.parametrize(("language", "typed"), [("fr", "12,5"), ("en", "12.5"), ("mt", "12.5")])
def test_a_number_answer_is_typed_as_the_language_writes_it(
    fr_handler, fr_authority, de_authority, de_handler, client_for, language, typed
):
    r = request_create(
        actor=fr_handler,
        requester=fr_authority,
        data=draft_data(de_authority, questions=["experience_confirmed", "experience_years"]),
    )
    r = request_act(actor=fr_handler, request=r, action="submit")
    r = request_act(actor=de_handler, request=r, action="accept")
    de_handler.language = language
    de_handler.save(update_fields=["language"])
    response = client_for(de_handler).post(
        reverse("exchanges:answer", args=[r.pk]),
        {"version": r.version, "answer-q_experience_confirmed": "yes", "answer-q_experience_years": typed},
    )
    assert response.status_code == 302
    assert r.answers.get(question__code="experience_years").value == "12.5"
