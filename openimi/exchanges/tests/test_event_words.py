"""What the pages say happened: the timeline, the audit log and the success banners speak in
the past tense ("Request sent"), from the one ``done`` label of each action."""

from django.urls import reverse
from django.utils import translation
from django.utils.html import escape

from openimi.exchanges.services import request_act, request_create
from openimi.exchanges.tests.test_workflow import draft_data
from openimi.exchanges.workflow import ACTIONS, EVENT_LABELS, event_label
from openimi.privacy.views import action_label


def test_every_action_has_a_past_tense_label_of_its_own():
    for action in ACTIONS.values():
        assert action.done is not None, action.name
        assert str(action.done) != str(action.label), action.name
    assert event_label("submit") == "Request sent"
    assert event_label("answer") == "Answer sent"
    assert event_label("created") == str(EVENT_LABELS["created"])
    assert event_label("unknown_thing") == "unknown_thing"
    # The audit log names request events the same way.
    assert action_label("request.submit") == "Request sent"


def test_banner_and_timeline_say_what_happened(client_for, fr_handler, fr_authority, de_authority, de_handler):
    r = request_create(actor=fr_handler, requester=fr_authority, data=draft_data(de_authority))
    r = request_act(actor=fr_handler, request=r, action="submit")
    response = client_for(de_handler).post(
        reverse("exchanges:act", args=[r.pk]),
        {"action": "accept", "accept-action": "accept", "accept-version": r.version},
        follow=True,
    )
    page = response.content.decode()
    with translation.override(de_handler.language):
        sent, accepted, created = (escape(event_label(a)) for a in ("submit", "accept", "created"))
        commands = [escape(str(ACTIONS[a].label)) for a in ("submit", "accept")]
    assert f'<p class="govuk-notification-banner__heading">{accepted}</p>' in page
    for label in (created, sent, accepted):
        assert f'<td class="govuk-table__cell">{label}</td>' in page
    for command in commands:
        assert f'<td class="govuk-table__cell">{command}</td>' not in page
