"""Demo requests in every state across all countries and legal areas, bulk-inserted.

Used by ``generate_demo_data`` (and the benchmarks); consistent with what the services would
have produced: references, timestamps in order, chosen questions, answers, a timeline."""

import datetime
import random
from collections.abc import Sequence

from django.core.management.color import no_style
from django.db import connection
from django.db.models import Max
from django.utils import timezone

from openimi.accounts.models import Membership
from openimi.directory.models import AuthorityArea, AuthorityStatus
from openimi.exchanges.models import Answer, InformationRequest, Message, RequestEvent, RequestQuestion, State
from openimi.lib.bulk import insert_rows
from openimi.questionnaires.models import QuestionSet

BATCH = 2000
STATE_MIX = [
    (State.CLOSED, 48),
    (State.ACCEPTED, 14),
    (State.SENT, 10),
    (State.ANSWERED, 9),
    (State.DRAFT, 5),
    (State.WITHDRAWN, 5),
    (State.AWAITING_INFORMATION, 5),
    (State.AWAITING_APPROVAL, 4),
]
# The states each final state went through, for the timeline.
PATHS = {
    State.DRAFT: [],
    State.AWAITING_APPROVAL: [("submit", State.DRAFT, State.AWAITING_APPROVAL)],
    State.SENT: [("submit", State.DRAFT, State.SENT)],
    State.ACCEPTED: [("submit", State.DRAFT, State.SENT), ("accept", State.SENT, State.ACCEPTED)],
    State.AWAITING_INFORMATION: [
        ("submit", State.DRAFT, State.SENT),
        ("accept", State.SENT, State.ACCEPTED),
        ("request_clarification", State.ACCEPTED, State.AWAITING_INFORMATION),
    ],
    State.ANSWERED: [
        ("submit", State.DRAFT, State.SENT),
        ("accept", State.SENT, State.ACCEPTED),
        ("answer", State.ACCEPTED, State.ANSWERED),
    ],
    State.CLOSED: [
        ("submit", State.DRAFT, State.SENT),
        ("accept", State.SENT, State.ACCEPTED),
        ("answer", State.ACCEPTED, State.ANSWERED),
        ("accept_answer", State.ANSWERED, State.CLOSED),
    ],
    State.WITHDRAWN: [("submit", State.DRAFT, State.SENT), ("withdraw", State.SENT, State.WITHDRAWN)],
}
MESSAGES = {
    "fr": "Merci de nous confirmer ces informations dans les meilleurs délais.",
    "de": "Wir bitten um Bestätigung der folgenden Angaben.",
    "it": "Vi preghiamo di confermare le informazioni richieste.",
    "es": "Les rogamos que confirmen la información solicitada.",
    "pl": "Uprzejmie prosimy o potwierdzenie poniższych informacji.",
    "en": "Please confirm the information below.",
}


def _value(question_type: str, options: list[str], rng: random.Random):
    if question_type in ("yes_no", "yes_no_unknown"):
        return rng.choice(["yes", "yes", "yes", "no"])
    if question_type == "single_choice":
        return options[0] if options else "other"
    if question_type == "multiple_choice":
        return options[:1]
    if question_type == "date":
        return (timezone.localdate() - datetime.timedelta(days=rng.randint(100, 3000))).isoformat()
    if question_type == "number":
        return str(rng.randint(1, 30))
    if question_type == "file":
        return None
    return "Bestätigt / confirmé / confirmed."


def _person(spec: dict, rng: random.Random) -> str:
    return f"{rng.choice(spec.get('first_names', ['Alex']))} {rng.choice(spec.get('last_names', ['Doe']))}"


def generate_requests(
    total: int, *, rng: random.Random, names: dict, progress, minimal: bool = False, hot: Sequence[int] = ()
) -> None:
    """Insert ``total`` requests; ``minimal`` skips questions, answers and timelines (for
    benchmarks that only need many request rows)."""
    now = timezone.now()
    sets = {}
    for qset in QuestionSet.objects.filter(is_current=True).prefetch_related("questions__options"):
        questions = [
            (q.pk, q.type, [o.code for o in q.options.all()]) for q in qset.questions.all() if not q.condition_question
        ]
        sets[qset.legal_area_id] = (qset.pk, questions)
    by_area: dict[str, list[tuple[int, str]]] = {}
    for authority_id, country, area in AuthorityArea.objects.filter(
        authority__status=AuthorityStatus.ACTIVE, authority__coordinator_functions__isnull=True
    ).values_list("authority_id", "authority__country_id", "legal_area_id"):
        by_area.setdefault(area, []).append((authority_id, country))
    creator = dict(Membership.objects.values_list("authority_id", "user_id"))
    areas = [a for a in sets if len({c for _a, c in by_area.get(a, [])}) > 1]
    hot_areas = []
    for authority_id in hot:
        own = [(a, c) for a in areas for a_id, c in by_area[a] if a_id == authority_id]
        if own:
            hot_areas.append(((authority_id, own[0][1]), sorted({a for a, _c in own})))
    states, weights = zip(*STATE_MIX, strict=True)
    start = (InformationRequest.objects.aggregate(m=Max("pk"))["m"] or 0) + 1
    languages = {code: spec["language"] for code, spec in names.items()}

    for offset in range(0, total, BATCH):
        requests, chosen, answers, events, messages = [], [], [], [], []
        for pk in range(start + offset, start + min(offset + BATCH, total)):
            area = rng.choice(areas)
            requester, country = rng.choice(by_area[area])
            responder, other = rng.choice(by_area[area])
            if hot_areas and rng.random() < 0.2:
                # The demo accounts' own authorities take part in many requests, so that
                # signing in as one of them shows a busy inbox and outbox.
                pick, country_of = rng.choice(hot_areas)
                area = rng.choice(country_of)
                requester, country = rng.choice(by_area[area])
                responder, other = pick
                if rng.random() < 0.5:
                    requester, country, responder, other = responder, other, requester, country
            while other == country:
                responder, other = rng.choice(by_area[area])
            state = rng.choices(states, weights=weights)[0]
            created = now - datetime.timedelta(
                days=rng.uniform(1, 3 * 365) if state in (State.CLOSED, State.WITHDRAWN) else rng.uniform(0.5, 40)
            )
            spec = names.get(country, {})
            language = languages.get(country, "en")
            user = creator.get(requester)
            if user is None:
                continue
            path = PATHS[state]
            step = datetime.timedelta(days=rng.uniform(0.2, 9))
            if path and created + step * len(path) > now:
                # The demo's clock ends now: a history that would run into the future is
                # compressed into the time since creation, so nothing is dated after now and a
                # request sent today is on the inbox's first page (newest change first).
                step = (now - created) * rng.uniform(0.3, 0.95) / len(path)
            stamps = [created + step * (i + 1) for i in range(len(path))]
            sent_at = stamps[0] if path and state != State.AWAITING_APPROVAL else None
            reply_by = (created + datetime.timedelta(days=rng.randint(14, 45))).date()
            r = InformationRequest(
                pk=pk,
                reference=f"{country}-{created:%Y}-{pk:07d}" if path else None,
                legal_area_id=area,
                question_set_id=sets[area][0],
                requester_id=requester,
                responder_id=responder,
                created_by_id=user,
                state=state,
                subject_name=_person(spec, rng),
                subject_identifiers=f"REG-{rng.randint(100000, 999999)}",
                free_text=MESSAGES.get(language, MESSAGES["en"]),
                free_text_language=language if language in MESSAGES else "en",
                reply_by=reply_by,
                acceptance_deadline=sent_at + datetime.timedelta(days=7) if sent_at else None,
                created_at=created,
                updated_at=stamps[-1] if stamps else created,
                sent_at=sent_at,
                accepted_at=stamps[1] if len(path) > 1 and path[1][0] == "accept" else None,
                answered_at=stamps[2] if len(path) > 2 and path[2][0] == "answer" else None,
                closed_at=stamps[3] if state == State.CLOSED else None,
                rating_timeliness=rng.randint(3, 5) if state == State.CLOSED and rng.random() < 0.6 else None,
                rating_effort=rng.randint(3, 5) if state == State.CLOSED and rng.random() < 0.6 else None,
                is_overdue=(state == State.SENT and created < now - datetime.timedelta(days=7))
                or (state == State.ACCEPTED and reply_by < timezone.localdate()),
                version=len(path) + 1,
            )
            requests.append(r)
            picked = rng.sample(sets[area][1], k=min(3, len(sets[area][1])))
            chosen += [RequestQuestion(request_id=pk, question_id=q) for q, _t, _o in picked]
            if state in (State.ANSWERED, State.CLOSED):
                responder_user = creator.get(responder, user)
                for q, kind, options in picked:
                    value = _value(kind, options, rng)
                    if value is not None:
                        answers.append(
                            Answer(
                                request_id=pk,
                                question_id=q,
                                value=value,
                                answered_by_id=responder_user,
                                answered_at=stamps[2],
                            )
                        )
            events.append(
                RequestEvent(
                    request_id=pk,
                    action="created",
                    actor_id=user,
                    authority_id=requester,
                    from_state=State.DRAFT,
                    to_state=State.DRAFT,
                    at=created,
                )
            )
            for (action, before, after), at in zip(path, stamps, strict=True):
                side = requester if action in ("submit", "withdraw", "accept_answer") else responder
                events.append(
                    RequestEvent(
                        request_id=pk,
                        action=action,
                        actor_id=creator.get(side, user),
                        authority_id=side,
                        from_state=before,
                        to_state=after,
                        at=at,
                    )
                )
            if state == State.AWAITING_INFORMATION:
                messages.append(
                    Message(
                        request_id=pk,
                        kind="clarification_request",
                        author_id=creator.get(responder, user),
                        authority_id=responder,
                        text="Could you give the registration number?",
                        language="en",
                        created_at=stamps[-1],
                    )
                )
        InformationRequest.objects.bulk_create(requests, batch_size=BATCH)
        if minimal:
            progress(f"{min(offset + BATCH, total):,} requests")
            continue
        insert_rows(RequestQuestion, chosen)
        Answer.objects.bulk_create(answers, batch_size=BATCH)
        insert_rows(RequestEvent, events)
        Message.objects.bulk_create(messages, batch_size=BATCH)
        progress(f"{min(offset + BATCH, total):,} requests")
    # Explicit primary keys do not advance PostgreSQL's sequence; move it past them.
    with connection.cursor() as cursor:
        for sql in connection.ops.sequence_reset_sql(no_style(), [InformationRequest]):
            cursor.execute(sql)
