"""Reads for data-subject requests and the audit log, scoped to who is asking.

A local administrator sees the data-subject requests of their own authorities and finds, for
one of them, everything their authority holds on the person: the authority's own exchanges
(sent, or received and not drafts) whose subject matches the name or an identifier, or whose
free text or messages mention the name. Blocked data is included (it is shown only here,
audited); deleted data is gone and cannot be found."""

import datetime
import re
import unicodedata
from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from openimi.directory.models import Authority
from openimi.directory.permissions import Perm, admin_authority_ids, has_perm, scope_filter, scopes_of
from openimi.exchanges.models import InformationRequest, Message
from openimi.exchanges.selectors import question_rows
from openimi.exchanges.visibility import held_by
from openimi.privacy.models import AuditEntry, ContestMark, SubjectRequest


def admin_authorities(user) -> QuerySet[Authority]:
    """The authorities whose data-subject requests ``user`` handles (as local administrator)."""
    return Authority.objects.filter(pk__in=admin_authority_ids(user))


def contest_mark_get(user, pk) -> ContestMark:
    """A contest mark put by one of the user's own authorities, or 404."""
    try:
        return ContestMark.objects.select_related("authority").get(
            pk=int(pk), authority_id__in=admin_authority_ids(user)
        )
    except (ContestMark.DoesNotExist, ValueError, TypeError, OverflowError):
        raise Http404 from None


def subject_requests_for(user) -> QuerySet[SubjectRequest]:
    return SubjectRequest.objects.filter(authority_id__in=admin_authority_ids(user)).select_related("authority")


def subject_request_counts(user) -> dict | None:
    """For a local administrator's home page: open data-subject requests, and how many of
    them are due within a week (overdue included). None for everyone else."""
    if not admin_authority_ids(user):
        return None
    open_requests = subject_requests_for(user).filter(status=SubjectRequest.Status.OPEN)
    soon = timezone.localdate() + datetime.timedelta(days=7)
    return {"open": open_requests.count(), "due_soon": open_requests.filter(due_on__lte=soon).count()}


def subject_request_get(user, pk) -> SubjectRequest:
    try:
        subject_request = SubjectRequest.objects.select_related("authority", "created_by", "completed_by").get(
            pk=int(pk)
        )
    except (SubjectRequest.DoesNotExist, ValueError, TypeError, OverflowError):
        raise Http404 from None
    if not has_perm(user, Perm.SUBJECT_REQUEST_MANAGE, subject_request.authority):
        raise Http404
    return subject_request


def normalise(text: str) -> str:
    """Lower case, without accents, punctuation folded to spaces: "Müller-Lüdenscheidt"
    and "MULLER LUDENSCHEIDT" compare equal."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    plain = "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()
    return " ".join(re.sub(r"[^\w]+", " ", plain).split())


def _compact(text: str) -> str:
    """Identifiers compared without spaces or punctuation: "DE 123 456-789" = "de123456789"."""
    return normalise(text).replace(" ", "").replace("_", "")


@dataclass
class Holding:
    """One exchange of the authority that concerns the person, and why it was found."""

    request: InformationRequest
    by_name: bool
    by_identifier: bool
    mentioned: bool

    @property
    def blocked(self) -> bool:
        return self.request.personal_data_blocked_at is not None


def _own_exchanges(authority_id: int) -> QuerySet[InformationRequest]:
    # What the authority holds (exchanges.visibility): never a request that has not reached
    # it yet, nor one withdrawn before it accepted it.
    return InformationRequest.objects.filter(held_by(authority_id), personal_data_deleted_at__isnull=True)


def _identifier_parts(identifiers: str) -> list[str]:
    """Each identifier the person gave (separated by commas, semicolons or new lines)."""
    parts = [_compact(p) for p in re.split(r"[,;\n]+", identifiers or "")]
    return [p for p in parts if len(p) >= 4]


def holdings(subject_request: SubjectRequest) -> list[Holding]:
    """Every exchange of the authority that concerns the person of ``subject_request``."""
    name_words = normalise(subject_request.person_name).split()
    identifiers = _identifier_parts(subject_request.person_identifiers)
    found: dict[int, tuple[bool, bool, bool]] = {}  # pk → (by name, by identifier, mentioned)
    own = _own_exchanges(subject_request.authority_id)
    # Names and identifiers are compared in Python, accent- and case-insensitively, so SQLite
    # and PostgreSQL find the same; an authority holds at most some tens of thousands.
    for pk, name, ids in own.values_list("pk", "subject_name", "subject_identifiers").iterator(chunk_size=5000):
        by_name = bool(name_words) and set(name_words) <= set(normalise(name).split())
        compact_ids = _compact(ids)
        by_identifier = any(part in compact_ids for part in identifiers) if compact_ids else False
        if by_name or by_identifier:
            found[pk] = (by_name, by_identifier, False)
    if name_words:
        for pk in _mentioning(own, subject_request.person_name, name_words):
            by_name, by_identifier, _mentioned = found.get(pk, (False, False, False))
            found[pk] = (by_name, by_identifier, True)
    requests = InformationRequest.objects.filter(pk__in=found).select_related(
        "requester__country", "responder__country", "legal_area"
    )
    held = [Holding(request, *found[request.pk]) for request in requests]
    return sorted(held, key=lambda h: h.request.created_at, reverse=True)


def _mentioning(own: QuerySet, name: str, name_words: list[str]) -> set[int]:
    """Exchanges whose free text or messages contain the whole name. The database narrows on
    the longest word; the exact, accent-insensitive comparison is made here."""
    longest = max(name.split(), key=len)
    wanted = " ".join(name_words)
    hits = set()
    candidates = own.filter(free_text__icontains=longest).values_list("pk", "free_text")
    messages = Message.objects.filter(request__in=own.values("pk"), text__icontains=longest).values_list(
        "request_id", "text"
    )
    for pk, text in [*candidates, *messages]:
        if f" {wanted} " in f" {normalise(text)} ":
            hits.add(pk)
    return hits


@dataclass
class AuditFilters:
    authority: int | None = None
    authority_name: str = ""  # words of the name, where there are too many authorities to list
    action: str = ""
    actor: str = ""
    since: object = None
    until: object = None


def audit_authorities(user, acting_for: int | None = None) -> QuerySet[Authority]:
    """Authorities whose audit log ``user`` may read: their own (as local administrator) and,
    for a coordinator, those in scope. ``acting_for`` (an API token's authority) narrows this
    to what that one authority may read."""
    admin_of = admin_authority_ids(user)
    scopes = scopes_of(user)
    if acting_for is not None:
        admin_of = [a for a in admin_of if a == acting_for]
        scopes = [s for s in scopes if s.authority_id == acting_for]
    query = Q(pk__in=admin_of)
    if scopes:
        query |= scope_filter(scopes)
    return Authority.objects.filter(query).distinct()


def audit_entries(user, filters: AuditFilters, acting_for: int | None = None) -> QuerySet[AuditEntry]:
    visible = audit_authorities(user, acting_for)
    qs = AuditEntry.objects.filter(authority_id__in=visible.values("pk"))
    if filters.authority:
        qs = qs.filter(authority_id=filters.authority)
    if filters.authority_name:
        named = visible
        for word in filters.authority_name.split()[:5]:
            named = named.filter(official_name__icontains=word)
        qs = qs.filter(authority_id__in=named.values("pk"))
    if filters.action:
        qs = qs.filter(action__startswith=filters.action)
    if filters.actor:
        qs = qs.filter(actor_email__icontains=filters.actor)
    if filters.since:
        qs = qs.filter(at__date__gte=filters.since)
    if filters.until:
        qs = qs.filter(at__date__lte=filters.until)
    return qs.order_by("-id")


def _iso(value):
    return value.isoformat() if value else None


def export_data(subject_request: SubjectRequest, found: list[Holding]) -> dict:
    """Everything the authority holds on the person, as plain data: the subject's fields,
    the questions and answers, the messages the authority can read (the other side's
    internal notes are not held by it), the documents and any contest marks."""
    authority_id = subject_request.authority_id
    exchanges = []
    for holding in found:
        r = holding.request
        messages = [
            {
                "kind": m.kind,
                "written_at": _iso(m.created_at),
                "language": m.language,
                "text": m.text,
                "internal": m.internal,
            }
            for m in r.messages.all()
            if not m.internal or m.authority_id == authority_id
        ]
        exchanges.append(
            {
                "reference": r.reference,
                "legal_area": str(r.legal_area.name),
                "state": r.state,
                "requester": r.requester.official_name,
                "requester_country": r.requester.country_id,
                "responder": r.responder.official_name if r.responder else None,
                "responder_country": r.responder.country_id if r.responder else None,
                "created_at": _iso(r.created_at),
                "closed_at": _iso(r.closed_at),
                "personal_data_blocked_at": _iso(r.personal_data_blocked_at),
                "found_by": [
                    reason
                    for reason, hit in (
                        ("name", holding.by_name),
                        ("identifier", holding.by_identifier),
                        ("mentioned", holding.mentioned),
                    )
                    if hit
                ],
                "subject": {
                    "name": r.subject_name,
                    "identifiers": r.subject_identifiers,
                    "address": r.subject_address,
                    "birth_date": _iso(r.subject_birth_date),
                },
                "free_text": r.free_text,
                "questions": [
                    {"question": str(row["question"].text), "answer": row["display"] if row["answer"] else None}
                    for row in question_rows(r)
                ],
                "messages": messages,
                "documents": [
                    {"name": a.original_name, "type": a.content_type, "size": a.size, "added_at": _iso(a.created_at)}
                    for a in r.attachments.all()
                ],
                "contested": [
                    {"reason": c.reason, "marked_at": _iso(c.marked_at), "lifted_at": _iso(c.lifted_at)}
                    for c in r.contest_marks.all()
                ],
            }
        )
    return {
        "data_subject_request": {
            "id": subject_request.pk,
            "kind": subject_request.kind,
            "person_name": subject_request.person_name,
            "person_identifiers": subject_request.person_identifiers,
            "received_on": _iso(subject_request.received_on),
            "due_on": _iso(subject_request.due_on),
        },
        "authority": subject_request.authority.official_name,
        "exchanges": exchanges,
    }
