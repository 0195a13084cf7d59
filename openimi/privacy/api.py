"""Data-subject requests and the audit log over the API: the same selectors and services as
the pages. A token acts for one authority: its data-subject requests (for a local
administrator), and its audit log (plus, for a coordinator authority, the authorities in
scope)."""

import datetime
from typing import Annotated, Literal

from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status
from pydantic import Field, WithJsonSchema

from openimi.api.schemas import ErrorOut, StrictIn
from openimi.directory.permissions import Perm, has_perm
from openimi.privacy import selectors, services
from openimi.privacy.models import SubjectRequest

router = Router(tags=["data protection"])
ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut, 429: ErrorOut}


class SubjectRequestIn(StrictIn):
    kind: str = Field(..., max_length=16, description="access, rectification or restriction")
    person_name: str = Field("", max_length=300)
    person_identifiers: str = Field("", max_length=300, description="Separated by commas.")
    received_on: datetime.date | None = Field(None, description="Default: today. Due 30 days later.")
    note: str = Field("", max_length=5000)


class SubjectRequestOut(Schema):
    id: int
    kind: str
    status: str
    person_name: str
    person_identifiers: str
    received_on: datetime.date
    due_on: datetime.date
    is_overdue: bool
    completed_at: datetime.datetime | None


class SubjectRequestPage(Schema):
    count: int
    page: int
    pages: int
    results: list[SubjectRequestOut]


class RectifyIn(StrictIn):
    version: int | None = Field(None, description="The request version you last read; a newer one means 409.")
    subject_name: str | None = Field(None, max_length=300)
    subject_identifiers: str | None = Field(None, max_length=300)
    subject_address: str | None = Field(None, max_length=500)
    subject_birth_date: datetime.date | None = None


class ContestIn(StrictIn):
    reason: str = Field(..., max_length=5000)


class CompleteIn(StrictIn):
    outcome: str = Field(..., max_length=5000)


class AuditIn(StrictIn):
    action: str = Field("", max_length=64, description="Prefix, e.g. personal_data.")
    actor: str = Field("", max_length=254, description="Part of the user's e-mail address.")
    since: datetime.date | None = None
    until: datetime.date | None = None
    page: int = Field(1, ge=1, le=100_000)
    page_size: int = Field(50, ge=1, le=200)


class AuditEntryOut(Schema):
    id: int
    at: datetime.datetime
    actor_email: str
    authority: int | None
    action: str
    object_type: str
    object_id: str
    ip: str
    hash: str


class AuditPage(Schema):
    count: int
    page: int
    pages: int
    results: list[AuditEntryOut]


# The export carries dates and times as the ISO strings it writes (a file to hand to the person).
IsoDate = Annotated[str, WithJsonSchema({"type": "string", "format": "date"})]
IsoDateTime = Annotated[str, WithJsonSchema({"type": "string", "format": "date-time"})]


class ExportedSubjectRequestOut(Schema):
    id: int
    kind: str
    person_name: str
    person_identifiers: str
    received_on: IsoDate
    due_on: IsoDate


class ExportedSubjectOut(Schema):
    name: str
    identifiers: str
    address: str
    birth_date: IsoDate | None


class ExportedQuestionOut(Schema):
    question: str
    answer: str | None = Field(description="The answer in words; null when unanswered.")


class ExportedMessageOut(Schema):
    kind: str
    written_at: IsoDateTime
    language: str
    text: str
    internal: bool


class ExportedDocumentOut(Schema):
    name: str
    type: str
    size: int
    added_at: IsoDateTime


class ExportedContestOut(Schema):
    reason: str
    marked_at: IsoDateTime
    lifted_at: IsoDateTime | None


class ExportedExchangeOut(Schema):
    reference: str | None
    legal_area: str
    state: str
    requester: str
    requester_country: str
    responder: str | None
    responder_country: str | None
    created_at: IsoDateTime
    closed_at: IsoDateTime | None
    personal_data_blocked_at: IsoDateTime | None
    # Why the exchange was found for the person (privacy.selectors.export_data).
    found_by: list[Literal["name", "identifier", "mentioned"]]
    subject: ExportedSubjectOut
    free_text: str
    questions: list[ExportedQuestionOut]
    messages: list[ExportedMessageOut]
    documents: list[ExportedDocumentOut]
    contested: list[ExportedContestOut]


class SubjectExportOut(Schema):
    data_subject_request: ExportedSubjectRequestOut
    authority: str
    exchanges: list[ExportedExchangeOut]


class RectifiedOut(Schema):
    id: int = Field(description="The exchange.")
    version: int = Field(description="Its new version.")
    rectified: bool


class ContestMarkOut(Schema):
    id: int
    request: int
    marked_at: IsoDateTime


def _out(sr: SubjectRequest) -> dict:
    return {
        "id": sr.pk,
        "kind": sr.kind,
        "status": sr.status,
        "person_name": sr.person_name,
        "person_identifiers": sr.person_identifiers,
        "received_on": sr.received_on,
        "due_on": sr.due_on,
        "is_overdue": sr.is_overdue,
        "completed_at": sr.completed_at,
    }


def _require_manager(request):
    if not has_perm(request.user, Perm.SUBJECT_REQUEST_MANAGE, request.api_token.authority):
        raise PermissionDenied(_("Only a local administrator of the authority can handle data-subject requests."))


def _get(request, subject_request_id: int) -> SubjectRequest:
    _require_manager(request)
    sr = selectors.subject_request_get(request.user, subject_request_id)
    if sr.authority_id != request.api_token.authority_id:
        raise Http404
    return sr


@router.get("/subject-requests", response={200: SubjectRequestPage, **ERRORS}, summary="Data-subject requests")
def subject_request_list(request, page: int = Query(1, ge=1, le=100_000)):
    _require_manager(request)
    qs = selectors.subject_requests_for(request.user).filter(authority_id=request.api_token.authority_id)
    paginator = Paginator(qs, 50)
    results = [_out(sr) for sr in paginator.get_page(page)] if page <= paginator.num_pages else []
    return {"count": paginator.count, "page": page, "pages": paginator.num_pages, "results": results}


@router.post("/subject-requests", response={201: SubjectRequestOut, **ERRORS}, summary="Record a data-subject request")
def subject_request_create(request, payload: SubjectRequestIn):
    sr = services.subject_request_create(
        actor=request.user, authority=request.api_token.authority, **payload.dict(exclude_none=True)
    )
    return Status(201, _out(sr))


@router.get(
    "/subject-requests/{subject_request_id}/export",
    response={200: SubjectExportOut, **ERRORS},
    summary="Everything the authority holds on the person (audited)",
)
def subject_request_export(request, subject_request_id: int):
    return services.subject_data_export(actor=request.user, subject_request=_get(request, subject_request_id))


@router.post(
    "/subject-requests/{subject_request_id}/requests/{request_id}/rectify",
    response={200: RectifiedOut, **ERRORS},
    summary="Rectify the subject's data in one exchange found for the person",
)
def subject_request_rectify(request, subject_request_id: int, request_id: int, payload: RectifyIn):
    changes = payload.dict(exclude={"version"}, exclude_unset=True)
    r = services.subject_data_rectify(
        actor=request.user,
        subject_request=_get(request, subject_request_id),
        request_pk=request_id,
        changes=changes,
        version=payload.version,
    )
    return {"id": r.pk, "version": r.version, "rectified": True}


@router.post(
    "/subject-requests/{subject_request_id}/requests/{request_id}/contest",
    response={201: ContestMarkOut, **ERRORS},
    summary="Mark one exchange's personal data as contested",
)
def subject_request_contest(request, subject_request_id: int, request_id: int, payload: ContestIn):
    mark = services.subject_data_contest(
        actor=request.user,
        subject_request=_get(request, subject_request_id),
        request_pk=request_id,
        reason=payload.reason,
    )
    return Status(201, {"id": mark.pk, "request": mark.request_id, "marked_at": mark.marked_at.isoformat()})


@router.post(
    "/subject-requests/{subject_request_id}/complete",
    response={200: SubjectRequestOut, **ERRORS},
    summary="Complete a data-subject request",
)
def subject_request_complete(request, subject_request_id: int, payload: CompleteIn):
    sr = services.subject_request_complete(
        actor=request.user, subject_request=_get(request, subject_request_id), outcome=payload.outcome
    )
    return _out(sr)


@router.get("/audit-log", response={200: AuditPage, **ERRORS}, summary="The audit log the token's authority may read")
def audit_log(request, filters: Query[AuditIn]):
    authorities = selectors.audit_authorities(request.user, acting_for=request.api_token.authority_id)
    if not authorities.exists():
        raise PermissionDenied(_("Only local administrators and coordinators can read the audit log."))
    qs = selectors.audit_entries(
        request.user,
        selectors.AuditFilters(action=filters.action, actor=filters.actor, since=filters.since, until=filters.until),
        acting_for=request.api_token.authority_id,
    )
    paginator = Paginator(qs, filters.page_size)
    page = paginator.get_page(filters.page)
    results = (
        [
            {
                "id": e.pk,
                "at": e.at,
                "actor_email": e.actor_email,
                "authority": e.authority_id,
                "action": e.action,
                "object_type": e.object_type,
                "object_id": e.object_id,
                "ip": e.ip,
                "hash": e.hash,
            }
            for e in page
        ]
        if filters.page <= paginator.num_pages
        else []
    )
    return {"count": paginator.count, "page": filters.page, "pages": paginator.num_pages, "results": results}
