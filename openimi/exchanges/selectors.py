"""Every read of information requests, scoped to what the asking user may see."""

from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from openimi.accounts.models import Role
from openimi.directory.models import Authority, AuthorityStatus
from openimi.directory.permissions import Perm, has_perm, roles_of, scope_filter, scopes_of
from openimi.directory.search import SearchFilters, search
from openimi.exchanges import permissions
from openimi.exchanges.models import Attachment, InformationRequest, Message, RequestEvent, RequestSeen, State
from openimi.exchanges.services import handlers_of
from openimi.exchanges.visibility import personal_data_visible, responder_side, side_filter, visibility_for
from openimi.lib import formats
from openimi.translation.services import Offer, translate, translation_offers

SORTS = {
    "updated": "-updated_at",
    "oldest": "updated_at",
    "reply_by": "reply_by",
    "created": "-created_at",
}


@dataclass
class BoxFilters:
    box: str = "inbox"  # inbox | outbox
    state: str = ""
    legal_area: str = ""
    country: str = ""  # the other side's country
    handler: str = ""  # "me" or a user id
    overdue: bool = False
    q: str = ""
    sort: str = "updated"

    def __post_init__(self):
        for name in ("state", "legal_area", "country", "handler", "q", "sort", "box"):
            value = getattr(self, name) or ""
            setattr(self, name, "".join(c for c in str(value) if c.isprintable()).strip()[:100])
        if self.box not in ("inbox", "outbox"):
            self.box = "inbox"
        if self.sort not in SORTS:
            self.sort = "updated"


def visible_requests(user) -> QuerySet[InformationRequest]:
    """Requests the user may see: as a member of either side (the responder's only once sent),
    or as a coordinator while involved."""
    mine = side_filter(user, "requester") | responder_side(user)
    coordinator_of = [s.authority_id for s in scopes_of(user)]
    if coordinator_of:
        mine |= Q(referred_to_id__in=coordinator_of)
    return InformationRequest.objects.filter(mine)


def references_for(user, ids) -> dict[int, tuple[str | None, bool]]:
    """``{request id: (reference, whether user may open it)}`` for requests named elsewhere
    (the audit log): one query, plus the authorities' areas for a coordinator, whose scope
    decides. The permission is the request page's own (``Perm.REQUEST_VIEW``)."""
    qs = InformationRequest.objects.filter(pk__in=list(ids)).select_related(
        "requester__region__parent__parent", "responder__region__parent__parent"
    )
    if scopes_of(user):
        qs = qs.prefetch_related("requester__area_grants", "responder__area_grants")
    return {r.pk: (r.reference, has_perm(user, Perm.REQUEST_VIEW, r)) for r in qs}


def box(user, filters: BoxFilters) -> QuerySet[InformationRequest]:
    side = "responder" if filters.box == "inbox" else "requester"
    other = "requester" if side == "responder" else "responder"
    # The responder's inbox holds a request only once it is sent (not while it is a draft or
    # awaiting the sender's coordinator's approval): counts and search read this too.
    qs = InformationRequest.objects.filter(responder_side(user) if side == "responder" else side_filter(user, side))
    if filters.state in State.values:
        qs = qs.filter(state=filters.state)
    if filters.legal_area:
        qs = qs.filter(legal_area_id=filters.legal_area)
    if filters.country:
        qs = qs.filter(**{f"{other}__country_id": filters.country.upper()[:2]})
    if filters.handler == "me":
        qs = qs.filter(responder_handler=user)
    elif filters.handler.isdecimal():  # not isdigit(): int() refuses "²", which isdigit() accepts
        qs = qs.filter(responder_handler_id=int(filters.handler))
    if filters.overdue:
        qs = qs.filter(is_overdue=True)
    if filters.q:
        # A match on personal data only where the user may see it (not blocked, deleted or
        # withdrawn before acceptance): a count must not confirm whom a request concerns.
        personal = personal_data_visible(user)
    for word in filters.q.split()[:5]:
        qs = qs.filter(
            Q(reference__icontains=word)
            | (
                personal
                & (
                    Q(subject_name__icontains=word)
                    | Q(subject_identifiers__icontains=word)
                    | Q(free_text__icontains=word)
                )
            )
        )
    return qs.select_related("requester__country", "responder__country", "legal_area", "responder_handler").order_by(
        SORTS[filters.sort], "-pk"
    )


def with_new_marker(qs: QuerySet[InformationRequest], user) -> QuerySet[InformationRequest]:
    """Annotate ``is_new``: the user has not opened the request since its last change. One
    EXISTS in the list's own query (not a query per row)."""
    seen = RequestSeen.objects.filter(user=user, request=OuterRef("pk"), seen_at__gte=OuterRef("updated_at"))
    return qs.annotate(is_new=~Exists(seen))


def state_counts(user, filters: BoxFilters) -> dict[str, int]:
    base = box(user, BoxFilters(box=filters.box))
    counts = dict(base.order_by().values_list("state").annotate(n=Count("pk")))
    return {state: counts.get(state, 0) for state in State.values}


def request_get(user, pk) -> InformationRequest:
    """One request the user may see, or 404 (never say that it exists)."""
    try:
        # Not .get(): its LIMIT 21 makes PostgreSQL's planner weigh this nine-table join for
        # ~5 ms instead of ~1 ms (measured), on every page and API call; the key is unique.
        found = list(
            InformationRequest.objects.select_related(
                "requester__country",
                "responder__country",
                "legal_area",
                "question_set",
                "responder_handler",
                "created_by",
                "referred_to",
            ).filter(pk=int(pk))
        )
    except (ValueError, TypeError, OverflowError):
        raise Http404 from None
    if not found:
        raise Http404
    request = found[0]
    if not permissions.can_view(user, request):
        raise Http404
    return request


def _own_authorities(user, request) -> set[int]:
    return set(roles_of(user)) & {request.requester_id, request.responder_id}


def messages_for(user, request) -> list[Message]:
    """Free-text items; internal notes only for members of the authority that wrote them."""
    own = _own_authorities(user, request)
    return [
        m for m in request.messages.select_related("author", "authority") if not m.internal or m.authority_id in own
    ]


def timeline_for(user, request) -> list[RequestEvent]:
    own = _own_authorities(user, request)
    return [e for e in request.events.select_related("actor", "authority") if not e.internal or e.authority_id in own]


def attachments_for(user, request) -> list[Attachment]:
    """The request's documents, for those who may see them (their names are personal data)."""
    if not visibility_for(user, request).shows("attachment.original_name"):
        return []
    return list(request.attachments.select_related("uploaded_by"))


def attachment_get(user, request_pk, attachment_pk) -> Attachment:
    request = request_get(user, request_pk)
    if not visibility_for(user, request).shows("attachment.file"):
        raise Http404
    try:
        return request.attachments.get(pk=int(attachment_pk))
    except (Attachment.DoesNotExist, ValueError, TypeError, OverflowError):
        raise Http404 from None


def question_rows(request, language=None) -> list[dict]:
    """The chosen questions, grouped, with the answers, in the reader's language."""
    answers = {a.question_id: a for a in request.answers.all()}
    rows = []
    chosen = request.chosen.select_related("question__group").prefetch_related("question__options")
    for rq in sorted(chosen, key=lambda r: (r.question.group.position, r.question.position)):
        q = rq.question
        answer = answers.get(q.pk)
        rows.append(
            {"question": q, "group": q.group, "answer": answer, "display": _display(q, answer.value) if answer else ""}
        )
    return rows


def _display(question, value) -> str:
    labels = {"yes": _("Yes"), "no": _("No"), "unknown": _("Not known")}
    options: dict[str, str] = {o.code: o.label for o in question.options.all()}
    if isinstance(value, list):
        if question.type == "file":
            return ""
        return ", ".join(options[v] if v in options else v for v in value)
    if question.type == "date":
        try:
            return formats.date_long(formats.parse_iso_date(value))
        except ValueError:
            return str(value)
    if question.type == "number":
        return formats.number(str(value))
    return labels[value] if value in labels else options.get(value, str(value))


def handler_choices(request) -> list[tuple[int, str]]:
    users = handlers_of(request.responder_id, request.legal_area_id, roles=(Role.REQUEST_HANDLER,))
    return [(u.pk, u.full_name) for u in users.order_by("full_name")]


def overdue_candidates(now=None):
    now = now or timezone.now()
    today = timezone.localdate(now)
    return InformationRequest.objects.filter(
        Q(state=State.SENT, acceptance_deadline__lt=now)
        | Q(state__in=[State.ACCEPTED, State.AWAITING_INFORMATION], reply_by__lt=today),
        is_overdue=False,
    )


# The home page's to-do items: (key, box, state or "overdue", the action it asks for).
DASHBOARD_ITEMS = (
    ("to_accept", "inbox", State.SENT, Perm.REQUEST_ACCEPT),
    ("to_answer", "inbox", State.ACCEPTED, Perm.REQUEST_ANSWER),
    ("overdue", "inbox", "overdue", Perm.REQUEST_ANSWER),
    ("answered", "outbox", State.ANSWERED, Perm.REQUEST_ACCEPT_ANSWER),
    ("need_information", "outbox", State.AWAITING_INFORMATION, Perm.REQUEST_GIVE_CLARIFICATION),
    ("drafts", "outbox", State.DRAFT, Perm.REQUEST_SEND),
)


def dashboard_counts(user) -> dict[str, int]:
    """Open requests waiting on the user, for the home page: only the items whose action the
    user's roles allow (an observer is not asked to accept requests, a coordinator's own
    authority without handlers gets no counters), each counting the requests they may act on."""
    boxes = {name: box(user, BoxFilters(box=name)).order_by() for name in ("inbox", "outbox")}
    counts = {}
    for key, name, state, perm in DASHBOARD_ITEMS:
        allowed = permissions.may_act_filter(user, perm)
        if allowed is None:
            continue
        qs = boxes[name].filter(allowed)
        qs = qs.filter(is_overdue=True) if state == "overdue" else qs.filter(state=state)
        counts[key] = qs.count()
    return counts


def coordinator_queue(user) -> dict[str, list[InformationRequest]]:
    """Requests a coordinator is involved in: to approve, referred to it, escalated to it."""
    scopes = scopes_of(user)
    if not scopes:
        return {"approve": [], "referred": [], "escalated": []}
    base = InformationRequest.objects.select_related("requester__country", "responder__country", "legal_area")
    return {
        "approve": list(
            base.filter(scope_filter(scopes, prefix="requester__"), state=State.AWAITING_APPROVAL)
            .distinct()
            .order_by("updated_at")[:100]
        ),
        "referred": list(
            base.filter(referred_to_id__in=[s.authority_id for s in scopes])
            .exclude(state__in=[State.CLOSED, State.WITHDRAWN])
            .order_by("-updated_at")[:100]
        ),
        "escalated": list(
            base.filter(scope_filter(scopes, prefix="responder__"), escalated_at__isnull=False, is_overdue=True)
            .distinct()
            .order_by("escalated_at")[:100]
        ),
    }


FORWARD_LIMIT = 10  # matches offered at a time; a search narrows them (no list of hundreds)


def forward_choices(request, q: str = "", *, pk: int | None = None) -> list[tuple[int, str]]:
    """Where a responder may forward: competent authorities and coordinators of its country,
    the best ``FORWARD_LIMIT`` matches of the search ``q`` (or only ``pk``, to check a choice)."""
    if request.responder_id is None:
        return []
    candidates = (
        Authority.objects.filter(
            Q(area_grants__legal_area_id=request.legal_area_id) | Q(coordinator_functions__isnull=False),
            country_id=request.responder.country_id,
            status=AuthorityStatus.ACTIVE,
        )
        .exclude(pk=request.responder_id)
        .values("pk")
    )
    base = Authority.objects.filter(pk__in=candidates)
    if pk is not None:
        found = base.filter(pk=pk)
    else:
        found = search(base, SearchFilters(q=q)).queryset[:FORWARD_LIMIT]
    return [(a.pk, f"{a.official_name} ({a.city})" if a.city else a.official_name) for a in found]


def translation_offers_for(user, request, messages) -> dict[str, Offer]:
    """Per language of the free text the user may read: can "Show in my language" be offered
    (a configured engine serves the pair), and if not, why (from cached pair lists)."""
    visible = visibility_for(user, request)
    languages = set()
    if request.free_text and visible.shows("free_text"):
        languages.add(request.free_text_language)
    if visible.shows("message.text"):
        languages |= {m.language for m in messages if m.text}
    return translation_offers(languages, user.language)


def translations_for(user, request, messages, target: str | None = None, *, same_language: bool = False) -> dict:
    """Machine translations of the request's free text and messages into ``target`` (the
    user's language by default), keyed ``"free_text"`` and ``"message-<id>"``. Only text the
    user may read is translated: a translation says what the original says. Items already in
    the target language are left out unless ``same_language`` (then they come back as they are)."""
    target = target or user.language
    visible = visibility_for(user, request)
    items = []
    if request.free_text and visible.shows("free_text"):
        items.append(("free_text", request.free_text, request.free_text_language))
    if visible.shows("message.text"):
        items += [(m.anchor, m.text, m.language) for m in messages if m.text]
    return {
        key: translate(text, language, target, request=request)
        for key, text, language in items
        if same_language or language != target
    }
