"""The fold job and the rebuild on the database: a sent request's clocks reach its fact, folding
twice changes nothing, and retention (personal data deleted after 3 years) leaves the figures
as they were."""

import datetime

import pytest
from django.utils import timezone

from openimi.exchanges.models import RequestEvent
from openimi.exchanges.services import request_act, request_create
from openimi.exchanges.tests.test_workflow import ANSWERS, draft_data
from openimi.privacy.retention import apply_retention
from openimi.statistics.facts import fold_new_events, rebuild
from openimi.statistics.models import RequestFact, Watermark


@pytest.fixture
def closed(fr_handler, fr_authority, de_authority, de_handler):
    r = request_create(actor=fr_handler, requester=fr_authority, data=draft_data(de_authority))
    r = request_act(actor=fr_handler, request=r, action="submit")
    r = request_act(actor=de_handler, request=r, action="accept")
    r = request_act(actor=de_handler, request=r, action="answer", answers=ANSWERS, text="Echt.")
    return request_act(actor=fr_handler, request=r, action="accept_answer")


def _figures() -> list[tuple]:
    return list(
        RequestFact.objects.order_by("request_id").values_list(
            "request_id",
            "state",
            "requester_country",
            "responder_country",
            "sent_at",
            "accepted_at",
            "answered_at",
            "closed_at",
            "accept_days",
            "answer_days",
        )
    )


def test_the_fold_job_writes_the_clocks_of_a_sent_request(closed, fr_handler, fr_authority, de_authority):
    draft = request_create(actor=fr_handler, requester=fr_authority, data=draft_data(de_authority))
    result = fold_new_events()
    fact = RequestFact.objects.get()  # the draft counts in no figure
    assert fact.request_id == closed.pk != draft.pk
    assert (fact.state, fact.requester_country, fact.responder_country) == ("closed", "FR", "DE")
    events = {e.action: e.at for e in closed.events.all()}
    assert (fact.sent_at, fact.accepted_at, fact.answered_at, fact.closed_at) == (
        events["submit"],
        events["accept"],
        events["answer"],
        events["accept_answer"],
    )
    assert fact.accept_days == pytest.approx((events["accept"] - events["submit"]).total_seconds() / 86400)
    assert (
        result["watermark"] == Watermark.objects.get().last_event_id == RequestEvent.objects.order_by("-pk")[0].pk
    )  # the draft's too


def test_folding_again_and_rebuilding_change_nothing(closed):
    fold_new_events()
    before = _figures()
    fold_new_events()
    assert _figures() == before
    seen = []
    assert rebuild(lambda done, total: seen.append((done, total))) == 1
    assert _figures() == before
    assert seen and seen[-1][0] == seen[-1][1]


def test_retention_leaves_last_years_figures_as_they_were(closed):
    fold_new_events()
    before = _figures()
    four_years = timezone.now() + datetime.timedelta(days=4 * 365)
    assert apply_retention(four_years)["deleted"] == 1
    closed.refresh_from_db()
    assert closed.subject_name == ""  # the personal data is gone …
    fold_new_events()
    assert _figures() == before  # … the figures stay
    rebuild()
    assert _figures() == before
