"""Each clock rule of docs/statistics.md on a hand-made history."""

import datetime

from openimi.statistics.clocks import Event, clocks_of

T0 = datetime.datetime(2026, 1, 5, 9, tzinfo=datetime.UTC)


def at(days: float) -> datetime.datetime:
    return T0 + datetime.timedelta(days=days)


def test_sending_starts_both_clocks_and_accepting_and_answering_stop_them():
    clocks = clocks_of(
        [
            Event("submit", "draft", "sent", at(0)),
            Event("accept", "sent", "accepted", at(2)),
            Event("answer", "accepted", "answered", at(10)),
        ]
    )
    assert (clocks.accept_days, clocks.answer_days, clocks.state) == (2.0, 10.0, "answered")


def test_forwarding_restarts_the_acceptance_clock_but_not_the_answer_clock():
    clocks = clocks_of(
        [
            Event("submit", "draft", "sent", at(0)),
            Event("forward", "sent", "sent", at(3)),
            Event("accept", "sent", "accepted", at(4)),
            Event("answer", "accepted", "answered", at(9)),
        ]
    )
    assert (clocks.accept_days, clocks.answer_days, clocks.forwarded) == (1.0, 9.0, 1)


def test_clarification_pauses_the_answer_clock_and_notes_do_not_end_the_pause():
    clocks = clocks_of(
        [
            Event("approve", "awaiting_approval", "sent", at(0)),
            Event("accept", "sent", "accepted", at(1)),
            Event("request_clarification", "accepted", "awaiting_information", at(2)),
            Event("note", "awaiting_information", "awaiting_information", at(3)),
            Event("give_clarification", "awaiting_information", "accepted", at(6)),
            Event("answer", "accepted", "answered", at(8)),
        ]
    )
    assert (clocks.paused_days, clocks.answer_days) == (4.0, 4.0)


def test_reopening_keeps_the_first_answer_and_the_ratings_come_from_closing():
    clocks = clocks_of(
        [
            Event("submit", "draft", "sent", at(0)),
            Event("accept", "sent", "accepted", at(1)),
            Event("answer", "accepted", "answered", at(5)),
            Event("ask_further", "answered", "accepted", at(6)),
            Event("answer", "accepted", "answered", at(20)),
            Event("accept_answer", "answered", "closed", at(21), {"rating_timeliness": "2", "rating_effort": "9"}),
        ]
    )
    assert (clocks.answer_days, clocks.reopened, clocks.state) == (5.0, 1, "closed")
    assert (clocks.rating_timeliness, clocks.rating_effort) == (2, None)


def test_a_draft_starts_no_clock_and_the_agreed_date_is_judged_on_the_answer_day():
    assert clocks_of([Event("created", "draft", "draft", at(0))]).sent_at is None
    clocks = clocks_of([Event("submit", "draft", "sent", at(0)), Event("answer", "accepted", "answered", at(3))])
    assert clocks.answered_by(at(3).date(), overdue=False) is True
    assert clocks.answered_by(at(2).date(), overdue=False) is False
    assert clocks.answered_by(None, overdue=False) is None
