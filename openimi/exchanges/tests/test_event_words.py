"""What the pages say happened: the timeline, the audit log and the success banners speak in
the past tense ("Request sent"), from the one ``done`` label of each action."""

from django.urls import reverse
from django.utils import translation
from django.utils.html import escape

from openimi.exchanges.services import request_act, request_create
from openimi.exchanges.tests.test_workflow import ANSWERS, draft_data
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


def test_ratings_given_on_acceptance_are_shown_to_both_sides(
    client_for, fr_handler, fr_authority, de_authority, de_handler
):
    r = request_create(actor=fr_handler, requester=fr_authority, data=draft_data(de_authority))
    r = request_act(actor=fr_handler, request=r, action="submit")
    r = request_act(actor=de_handler, request=r, action="accept")
    r = request_act(actor=de_handler, request=r, action="answer", answers=ANSWERS, text="Gut.", language="de")
    client = client_for(fr_handler)
    client.post(
        reverse("exchanges:act", args=[r.pk]),
        {
            "action": "accept_answer",
            "accept_answer-action": "accept_answer",
            "accept_answer-version": r.version,
            "accept_answer-rating_timeliness": "4",
            "accept_answer-rating_effort": "5",
        },
    )
    r.refresh_from_db()
    assert (r.state, r.rating_timeliness, r.rating_effort) == ("closed", 4, 5)
    for user, page_client in ((fr_handler, client), (de_handler, client_for(de_handler))):
        page = page_client.get(reverse("exchanges:detail", args=[r.pk])).content.decode()
        with translation.override(user.language):
            rows = [
                (
                    testid,
                    escape(translation.gettext(label)),
                    escape(translation.gettext("%(n)s out of 5") % {"n": n}),
                )
                for testid, label, n in (
                    ("rating-timeliness", "Timeliness of the answer", 4),
                    ("rating-effort", "Effort made to answer", 5),
                )
            ]
        for testid, label, value in rows:
            assert (
                f'<div class="govuk-summary-list__row" data-testid="{testid}"><dt class="govuk-summary-list__key">'
                f'{label}</dt><dd class="govuk-summary-list__value">{value}</dd></div>'
            ) in page


def test_no_rating_row_before_a_rating_is_given(client_for, fr_handler, fr_authority, de_authority):
    r = request_create(actor=fr_handler, requester=fr_authority, data=draft_data(de_authority))
    page = client_for(fr_handler).get(reverse("exchanges:detail", args=[r.pk])).content.decode()
    assert 'data-testid="rating-' not in page
