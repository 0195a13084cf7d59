"""Keeping the facts current: a job folds the request events written since the watermark,
and ``rebuild_statistics`` folds every request from scratch. Both recompute a touched
request's fact from its whole history (``clocks.clocks_of``), so folding twice changes nothing.

Why a job and not the action's own transaction: the request action path stays as it is, and
the figures may be a few minutes behind. Event ids are given out at insert and committed a
little later, so a transaction still open when the job runs could commit an id below the
watermark; every run therefore looks again at the last ``LOOKBACK`` ids before it."""

from collections import defaultdict
from collections.abc import Callable, Iterable

from django.db import transaction
from django.utils import timezone

from openimi.exchanges.models import InformationRequest, RequestEvent
from openimi.statistics.clocks import Event, clocks_of
from openimi.statistics.models import RequestFact, Watermark

BATCH = 2000
LOOKBACK = 1000
WATERMARK = "facts"
FIELDS = [
    "legal_area",
    "requester_authority_id",
    "responder_authority_id",
    "requester_country",
    "responder_country",
    "state",
    "sent_at",
    "acceptance_started_at",
    "accepted_at",
    "answered_at",
    "closed_at",
    "accept_days",
    "answer_days",
    "paused_days",
    "reply_by",
    "answered_by_date",
    "forwarded",
    "reopened",
    "is_overdue",
    "rating_timeliness",
    "rating_effort",
    "folded_at",
]


def fold_requests(ids: Iterable[int]) -> int:
    """Recompute the facts of the requests ``ids`` (metadata only); returns how many exist."""
    ids = list(ids)
    requests = InformationRequest.objects.filter(pk__in=ids).values(
        "pk",
        "legal_area_id",
        "requester_id",
        "responder_id",
        "requester__country_id",
        "responder__country_id",
        "reply_by",
        "is_overdue",
    )
    history: dict[int, list[Event]] = defaultdict(list)
    for row in (
        RequestEvent.objects.filter(request_id__in=ids)
        .order_by("request_id", "at", "id")
        .values_list("request_id", "action", "from_state", "to_state", "at", "data")
    ):
        history[row[0]].append(Event(row[1], row[2], row[3], row[4], row[5] or {}))
    now = timezone.now()
    facts = []
    for request in requests:
        clocks = clocks_of(history[request["pk"]])
        if clocks.sent_at is None:  # a draft, or never sent: no figure counts it
            continue
        facts.append(
            RequestFact(
                request_id=request["pk"],
                legal_area=request["legal_area_id"],
                requester_authority_id=request["requester_id"],
                responder_authority_id=request["responder_id"],
                requester_country=request["requester__country_id"],
                responder_country=request["responder__country_id"],
                state=clocks.state,
                sent_at=clocks.sent_at,
                acceptance_started_at=clocks.acceptance_started_at or clocks.sent_at,
                accepted_at=clocks.accepted_at,
                answered_at=clocks.answered_at,
                closed_at=clocks.closed_at,
                accept_days=clocks.accept_days,
                answer_days=clocks.answer_days,
                paused_days=clocks.paused_days,
                reply_by=request["reply_by"],
                answered_by_date=clocks.answered_by(request["reply_by"], overdue=request["is_overdue"]),
                forwarded=clocks.forwarded,
                reopened=clocks.reopened,
                is_overdue=request["is_overdue"],
                rating_timeliness=clocks.rating_timeliness,
                rating_effort=clocks.rating_effort,
                folded_at=now,
            )
        )
    RequestFact.objects.bulk_create(
        facts, update_conflicts=True, unique_fields=["request_id"], update_fields=FIELDS, batch_size=BATCH
    )
    return len(facts)


def fold_new_events() -> dict:
    """Fold the requests that have events past the watermark (less ``LOOKBACK``), in batches."""
    with transaction.atomic():
        mark, _created = Watermark.objects.select_for_update().get_or_create(name=WATERMARK)
        start = max(mark.last_event_id - LOOKBACK, 0)
        top = start
        folded = 0
        while True:
            rows = list(
                RequestEvent.objects.filter(pk__gt=top).order_by("pk").values_list("pk", "request_id")[: BATCH * 5]
            )
            if not rows:
                break
            top = rows[-1][0]
            folded += fold_requests({request_id for _pk, request_id in rows})
        mark.last_event_id = max(top, mark.last_event_id)
        mark.folded_at = timezone.now()
        mark.save()
    return {"folded": folded, "watermark": mark.last_event_id}


def rebuild(progress: Callable[[int, int], None] | None = None) -> int:
    """Fold every request from scratch, in batches of request ids; ``progress(done, total)``."""
    top_event = RequestEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    total = InformationRequest.objects.count()
    done = folded = 0
    last = 0
    while True:
        ids = list(InformationRequest.objects.filter(pk__gt=last).order_by("pk").values_list("pk", flat=True)[:BATCH])
        if not ids:
            break
        with transaction.atomic():
            folded += fold_requests(ids)
        last = ids[-1]
        done += len(ids)
        if progress is not None:
            progress(done, total)
    Watermark.objects.update_or_create(
        name=WATERMARK, defaults={"last_event_id": top_event, "folded_at": timezone.now()}
    )
    return folded
