"""Irreversible request actions are taken on a confirmation page of their own (``confirm`` in
the action table): the request page only links to it, a straight POST never takes them, the
page states the consequence and asks the reason the other side reads."""

import re

import pytest
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape

from openimi.exchanges.models import InformationRequest, Message, State
from openimi.exchanges.services import request_act, request_create
from openimi.exchanges.tests.test_workflow import draft_data
from openimi.exchanges.workflow import ACTIONS


@pytest.fixture
def sent(fr_handler, fr_authority, de_authority, de_handler):
    r = request_create(actor=fr_handler, requester=fr_authority, data=draft_data(de_authority))
    return request_act(actor=fr_handler, request=r, action="submit")


def test_every_destructive_or_final_action_is_confirmed_and_says_what_happens():
    for name in ("submit", "approve", "reject", "forward", "accept_answer", "withdraw"):
        assert ACTIONS[name].confirm and str(ACTIONS[name].consequence), name
    assert all(a.confirm for a in ACTIONS.values() if a.style == "warning")
    assert {n for n, a in ACTIONS.items() if a.asks_reason} == {"reject", "forward", "withdraw"}


def test_the_request_page_only_links_to_the_withdrawal(client_for, sent, fr_handler):
    page = client_for(fr_handler).get(reverse("exchanges:detail", args=[sent.pk])).content.decode()
    assert reverse("exchanges:confirm", args=[sent.pk, "withdraw"]) in page
    assert not re.search(r'name="action" value="withdraw"', page)


def test_a_straight_post_does_not_withdraw(client_for, sent, fr_handler):
    response = client_for(fr_handler).post(reverse("exchanges:act", args=[sent.pk]), {"action": "withdraw"})
    assert response.status_code == 302
    assert response.url == reverse("exchanges:confirm", args=[sent.pk, "withdraw"])
    sent.refresh_from_db()
    assert sent.state == State.SENT


def test_withdrawal_needs_a_reason_and_the_responder_reads_it(client_for, sent, fr_handler, de_handler):
    sent = request_act(actor=de_handler, request=sent, action="accept")
    client = client_for(fr_handler)
    url = reverse("exchanges:confirm", args=[sent.pk, "withdraw"])
    page = client.get(url).content.decode()
    with translation.override(fr_handler.language):
        consequence = escape(str(ACTIONS["withdraw"].consequence))
    assert consequence in page
    assert f'href="{reverse("exchanges:detail", args=[sent.pk])}"' in page  # Cancel
    empty = client.post(url, {"withdraw-action": "withdraw", "withdraw-version": sent.version, "withdraw-text": " "})
    body = empty.content.decode()
    assert empty.status_code == 200
    assert "govuk-error-summary" in body and 'href="#id_withdraw-text"' in body and "govuk-form-group--error" in body
    assert InformationRequest.objects.get(pk=sent.pk).state == State.ACCEPTED
    done = client.post(
        url, {"withdraw-action": "withdraw", "withdraw-version": sent.version, "withdraw-text": "Sent in error."}
    )
    assert done.status_code == 302
    sent.refresh_from_db()
    assert sent.state == State.WITHDRAWN
    assert Message.objects.get(request=sent).kind == Message.Kind.WITHDRAWAL
    assert "Sent in error." in client_for(de_handler).get(reverse("exchanges:detail", args=[sent.pk])).content.decode()


def test_a_draft_nobody_received_is_withdrawn_without_a_reason(client_for, fr_handler, fr_authority, de_authority):
    r = request_create(actor=fr_handler, requester=fr_authority, data=draft_data(de_authority))
    url = reverse("exchanges:confirm", args=[r.pk, "withdraw"])
    client_for(fr_handler).post(url, {"withdraw-action": "withdraw", "withdraw-version": r.version})
    r.refresh_from_db()
    assert r.state == State.WITHDRAWN


def test_sending_a_draft_is_confirmed_first(client_for, fr_handler, fr_authority, de_authority):
    r = request_create(actor=fr_handler, requester=fr_authority, data=draft_data(de_authority))
    client = client_for(fr_handler)
    url = reverse("exchanges:confirm", args=[r.pk, "submit"])
    with translation.override(fr_handler.language):
        consequence = escape(str(ACTIONS["submit"].consequence))
    assert consequence in client.get(url).content.decode()
    r.refresh_from_db()
    assert r.state == State.DRAFT
    client.post(url, {"submit-action": "submit", "submit-version": r.version})
    r.refresh_from_db()
    assert r.state == State.SENT


def test_no_confirmation_page_for_others_or_for_actions_past_their_state(client_for, sent, de_handler, fr_handler):
    assert client_for(de_handler).get(reverse("exchanges:confirm", args=[sent.pk, "withdraw"])).status_code == 403
    assert client_for(fr_handler).get(reverse("exchanges:confirm", args=[sent.pk, "note"])).status_code == 404
    response = client_for(fr_handler).get(reverse("exchanges:confirm", args=[sent.pk, "submit"]))
    assert response.status_code == 302 and response.url == reverse("exchanges:detail", args=[sent.pk])
