"""The clocks of one request, read from its event history (see docs/statistics.md).

A pure function of the events and the request's metadata, so that every rule can be tested on
a hand-made history, and the fold job and the rebuild command compute facts the same way."""

import datetime
from dataclasses import dataclass, field

DAY = 86400.0
OPEN = {"sent", "accepted", "awaiting_information", "answered"}


@dataclass(frozen=True)
class Event:
    """What the clocks read of a ``RequestEvent``: never its actor, never a text."""

    action: str
    from_state: str
    to_state: str
    at: datetime.datetime
    data: dict = field(default_factory=dict)


@dataclass
class Clocks:
    state: str = ""
    sent_at: datetime.datetime | None = None
    acceptance_started_at: datetime.datetime | None = None
    accepted_at: datetime.datetime | None = None
    answered_at: datetime.datetime | None = None
    closed_at: datetime.datetime | None = None
    paused_days: float = 0.0
    forwarded: int = 0
    reopened: int = 0
    rating_timeliness: int | None = None
    rating_effort: int | None = None

    @property
    def accept_days(self) -> float | None:
        if self.accepted_at is None or self.acceptance_started_at is None:
            return None
        return (self.accepted_at - self.acceptance_started_at).total_seconds() / DAY

    @property
    def answer_days(self) -> float | None:
        if self.answered_at is None or self.sent_at is None:
            return None
        return max((self.answered_at - self.sent_at).total_seconds() / DAY - self.paused_days, 0.0)

    def answered_by(self, reply_by: datetime.date | None, *, overdue: bool) -> bool | None:
        """Answered by the agreed date: only for requests with a date; an open request marked
        overdue has missed it already."""
        if reply_by is None or self.sent_at is None:
            return None
        if self.answered_at is not None:
            return self.answered_at.date() <= reply_by
        if overdue and self.state in OPEN:
            return False
        return None


def _rating(value) -> int | None:
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if 1 <= number <= 5 else None


def clocks_of(events: list[Event]) -> Clocks:
    """Apply the rules of docs/statistics.md to ``events`` (in the order they happened)."""
    clocks = Clocks()
    paused_since: datetime.datetime | None = None
    for event in events:
        if event.to_state:
            clocks.state = event.to_state
        if event.to_state == "sent" and event.from_state in ("draft", "awaiting_approval") and clocks.sent_at is None:
            # The first sending starts both clocks; a request sent, returned and sent again
            # (reject is only possible before sending) keeps the first.
            clocks.sent_at = clocks.acceptance_started_at = event.at
        elif event.action == "forward" and clocks.sent_at is not None and clocks.accepted_at is None:
            # The new responder's acceptance clock starts now; the requester's answer clock runs on.
            clocks.acceptance_started_at = event.at
            clocks.forwarded += 1
        elif event.action == "accept" and clocks.accepted_at is None and clocks.sent_at is not None:
            clocks.accepted_at = event.at
        elif event.action == "request_clarification" and paused_since is None:
            paused_since = event.at
        elif (
            event.from_state == "awaiting_information"
            and event.to_state != "awaiting_information"
            and paused_since is not None
        ):
            # Clarification given (or the request withdrawn): the pause ends.
            if clocks.answered_at is None:
                clocks.paused_days += (event.at - paused_since).total_seconds() / DAY
            paused_since = None
        elif event.action == "answer" and clocks.answered_at is None and clocks.sent_at is not None:
            clocks.answered_at = event.at
        elif event.action == "ask_further":
            clocks.reopened += 1
        elif event.action == "accept_answer":
            clocks.closed_at = event.at
            clocks.rating_timeliness = _rating(event.data.get("rating_timeliness"))
            clocks.rating_effort = _rating(event.data.get("rating_effort"))
    return clocks
