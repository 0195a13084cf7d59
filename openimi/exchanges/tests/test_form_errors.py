"""Form errors on the request page follow the GOV.UK pattern: the error summary at the top
linking to the field, the field marked, the question's text (never a code), "Error:" in the
title, and the form still open."""

import re

import pytest
from django.urls import reverse

from openimi.exchanges.models import State
from openimi.exchanges.services import request_act, request_create
from openimi.exchanges.tests.test_workflow import draft_data


@pytest.fixture
def accepted(fr_handler, fr_authority, de_authority, de_handler):
    r = request_create(actor=fr_handler, requester=fr_authority, data=draft_data(de_authority))
    r = request_act(actor=fr_handler, request=r, action="submit")
    return request_act(actor=de_handler, request=r, action="accept")


def test_an_incomplete_answer_names_the_questions_and_marks_them(client_for, accepted, de_handler):
    response = client_for(de_handler).post(
        reverse("exchanges:answer", args=[accepted.pk]),
        {"version": accepted.version, "answer-q_diploma_authentic": "yes"},
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert re.search(r"<title>Fehler: ", page)  # the reader is German
    start = page.index("govuk-error-summary")
    summary = page[start : page.index("</ul>", start)]
    question = accepted.chosen.get(question__code="entitled_to_practise").question
    assert 'href="#id_answer-q_entitled_to_practise_0"' in summary and question.text in summary
    assert "entitled_to_practise," not in page and "Missing:" not in page
    assert page.count("govuk-form-group--error") == 2
    assert 'value="yes" checked' in page  # what was typed stays
    accepted.refresh_from_db()
    assert accepted.state == State.ACCEPTED


def test_the_error_title_is_translated(client_for, accepted, de_handler):
    de_handler.language = "fr"
    de_handler.save()
    page = (
        client_for(de_handler)
        .post(reverse("exchanges:answer", args=[accepted.pk]), {"version": accepted.version})
        .content.decode()
    )
    assert re.search(r"<title>Erreur\s?: ", page)


def test_an_empty_clarification_keeps_the_form_open_with_the_error(client_for, accepted, de_handler):
    response = client_for(de_handler).post(
        reverse("exchanges:act", args=[accepted.pk]),
        {
            "action": "request_clarification",
            "request_clarification-action": "request_clarification",
            "request_clarification-version": accepted.version,
            "request_clarification-text": "",
        },
    )
    page = response.content.decode()
    assert response.status_code == 200 and "govuk-error-summary" in page
    assert 'href="#id_request_clarification-text"' in page
    opened = page.index('<details class="govuk-details" open>')
    assert 'id="id_request_clarification-text"' in page[opened : page.index("</details>", opened)]
    assert "govuk-form-group--error" in page and "govuk-notification-banner" not in page
    accepted.refresh_from_db()
    assert accepted.state == State.ACCEPTED
