"""Information requests over the API: the same selectors, services and workflow table as the
pages. A token acts for one authority, so only requests of that authority are reachable."""

import datetime
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.utils.translation import gettext as _
from ninja import File, Query, Router, Schema, Status
from ninja.files import UploadedFile
from pydantic import Field

from openimi.api.schemas import ErrorOut, StrictIn
from openimi.exchanges import permissions, selectors, services
from openimi.exchanges.attachments import ALLOWED
from openimi.exchanges.models import InformationRequest
from openimi.exchanges.visibility import visibility_for
from openimi.exchanges.workflow import ActionName
from openimi.questionnaires.models import QuestionSet

router = Router(tags=["information requests"])
ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut, 429: ErrorOut}


class DraftIn(StrictIn):
    legal_area: str = Field(..., max_length=64)
    question_set: str = Field("", max_length=64, description="Code; the current version is used.")
    responder: int | None = None
    subject_name: str = Field("", max_length=300)
    subject_identifiers: str = Field("", max_length=300)
    subject_address: str = Field("", max_length=500)
    subject_birth_date: datetime.date | None = None
    questions: list[str] = Field(default_factory=list, max_length=200)
    free_text: str = Field("", max_length=20_000)
    free_text_language: str = Field("", max_length=8)
    reply_by: datetime.date | None = None
    version: int | None = Field(None, description="For updates: the version you last read.")


class ActionIn(StrictIn):
    version: int | None = Field(None, description="The version you last read; a newer one means 409.")
    text: str = Field("", max_length=20_000)
    language: str = Field("", max_length=8)
    to_authority: int | None = None
    handler: int | None = None
    date: datetime.date | None = None
    answers: dict[str, Any] = Field(default_factory=dict)
    partial: bool = False
    rating_timeliness: int | None = Field(None, ge=1, le=5)
    rating_effort: int | None = Field(None, ge=1, le=5)


class PartyOut(Schema):
    id: int
    official_name: str
    country: str


class RequestSummaryOut(Schema):
    id: int
    reference: str | None
    state: str
    state_label: str
    legal_area: str
    requester: PartyOut
    responder: PartyOut | None
    reply_by: datetime.date | None
    is_overdue: bool
    updated_at: datetime.datetime


class RequestPage(Schema):
    count: int
    page: int
    pages: int
    counts: dict[str, int]
    results: list[RequestSummaryOut]


class OptionOut(Schema):
    code: str
    label: str


class QuestionOut(Schema):
    code: str
    group: str
    type: str
    text: str
    options: list[OptionOut]


class QuestionSetOut(Schema):
    code: str
    version: int
    legal_area: str
    title: str
    questions: list[QuestionOut]


class ConditionOut(Schema):
    question: str = Field(description="Code of the question this one depends on.")
    equals: str = Field(description="The answer to that question for which this one applies.")


# What an answer holds (questionnaires.services.clean_answer).
AnswerValue = str | list[str] | list[int]


class RequestQuestionOut(QuestionOut):
    condition: ConditionOut | None
    answer: AnswerValue | None = Field(
        description="By question type: a code, a date (YYYY-MM-DD), a number or a text as a string, "
        "option codes or attachment ids. Null when unanswered or withheld."
    )
    answer_display: str = Field(description="The answer in words, in the reader's language; empty when withheld.")


class QuestionSetRefOut(Schema):
    code: str
    version: int
    title: str


class SubjectOut(Schema):
    """The data subject; each field is null when withheld from the reader."""

    name: str | None
    identifiers: str | None
    address: str | None
    birth_date: datetime.date | None


class TranslationOut(Schema):
    text: str | None = Field(description="Null when the translation failed.")
    engines: list[str]
    route: list[str] = Field(description="The languages the text went through, from the original's.")
    cached: bool
    error: str | None
    machine_translation: bool


class FreeTextOut(Schema):
    text: str | None = Field(description="Null when withheld.")
    language: str
    # Present only when asked for with translate_to (null: no translation could be made).
    translation: TranslationOut | None = None


class MessageOut(Schema):
    kind: str
    id: int
    text: str | None = Field(description="Null when withheld.")
    language: str
    internal: bool
    authority: int
    author: str
    at: datetime.datetime
    # Present only when asked for with translate_to (null: no translation could be made).
    translation: TranslationOut | None = None


class EventOut(Schema):
    action: str
    from_state: str
    to_state: str
    at: datetime.datetime
    authority: int | None
    actor: str | None


class AttachmentAddedOut(Schema):
    id: int
    name: str
    content_type: str
    size: int


class AttachmentOut(AttachmentAddedOut):
    authority: int


class RequestDetailOut(RequestSummaryOut):
    """What ``detail()`` builds. Operations answering with it set ``exclude_unset=True``: the
    translations are keys of their own, there only when asked for."""

    version: int
    question_set: QuestionSetRefOut
    subject: SubjectOut | None = Field(description="Null when the reader may see none of the subject's data.")
    free_text: FreeTextOut
    personal_data_blocked: bool
    proposed_reply_by: datetime.date | None
    partial_answer: bool
    questions: list[RequestQuestionOut]
    messages: list[MessageOut]
    timeline: list[EventOut]
    attachments: list[AttachmentOut]
    available_actions: list[ActionName]
    can_attach: bool = Field(description="Whether the token's user may attach documents now (POST /attachments).")


class RequestActedOut(RequestSummaryOut):
    """The answer to an action (and to creating a draft): the request as it stands now, its new version and what the
    token's user may do next. The questions, messages, timeline and documents are not repeated
    here (GET /requests/{id} has them): an action answers without reading them again."""

    version: int
    available_actions: list[ActionName]
    can_attach: bool = Field(description="Whether the token's user may attach documents now (POST /attachments).")


class BoxIn(StrictIn):
    box: str = Field("inbox", pattern="^(inbox|outbox)$")
    state: str = Field("", max_length=32)
    legal_area: str = Field("", max_length=64)
    country: str = Field("", max_length=2)
    handler: str = Field("", max_length=12)
    overdue: bool = False
    q: str = Field("", max_length=200)
    sort: str = Field("updated", pattern="^(updated|oldest|reply_by|created)$")
    page: int = Field(1, ge=1, le=100_000)
    page_size: int = Field(25, ge=1, le=100)


def _party(authority) -> dict | None:
    if authority is None:
        return None
    return {"id": authority.pk, "official_name": authority.official_name, "country": authority.country_id}


def summary(r: InformationRequest) -> dict:
    return {
        "id": r.pk,
        "reference": r.reference,
        "state": r.state,
        "state_label": str(r.get_state_display()),
        "legal_area": r.legal_area_id,
        "requester": _party(r.requester),
        "responder": _party(r.responder),
        "reply_by": r.reply_by,
        "is_overdue": r.is_overdue,
        "updated_at": r.updated_at,
    }


def detail(user, r: InformationRequest) -> dict:
    # Personal data of the subject: one decision per field (exchanges.visibility), the same as
    # the page's; never an involved coordinator's, a blocked request's or a not-yet-sent one's.
    visible = visibility_for(user, r)
    questions = [
        {
            "code": row["question"].code,
            "group": row["group"].title,
            "type": row["question"].type,
            "text": row["question"].text,
            "options": [{"code": o.code, "label": o.label} for o in row["question"].options.all()],
            "condition": (
                {"question": row["question"].condition_question, "equals": row["question"].condition_value}
                if row["question"].condition_question
                else None
            ),
            "answer": visible.redact("answer.value", row["answer"].value if row["answer"] else None),
            "answer_display": visible.redact("answer.value", row["display"], ""),
        }
        for row in selectors.question_rows(r)
    ]
    return summary(r) | {
        "version": r.version,
        "question_set": {"code": r.question_set.code, "version": r.question_set.version, "title": r.question_set.title},
        "subject": {
            "name": visible.redact("subject_name", r.subject_name),
            "identifiers": visible.redact("subject_identifiers", r.subject_identifiers),
            "address": visible.redact("subject_address", r.subject_address),
            "birth_date": visible.redact("subject_birth_date", r.subject_birth_date),
        }
        if visible.personal_data
        else None,
        "free_text": {"text": visible.redact("free_text", r.free_text), "language": r.free_text_language},
        "personal_data_blocked": r.personal_data_blocked_at is not None,
        "proposed_reply_by": r.proposed_reply_by,
        "partial_answer": r.partial_answer,
        "questions": questions,
        "messages": [
            {
                "kind": m.kind,
                "id": m.pk,
                "text": visible.redact("message.text", m.text),
                "language": m.language,
                "internal": m.internal,
                "authority": m.authority_id,
                "author": m.author.full_name,
                "at": m.created_at,
            }
            for m in selectors.messages_for(user, r)
        ],
        "timeline": [
            {
                "action": e.action,
                "from_state": e.from_state,
                "to_state": e.to_state,
                "at": e.at,
                "authority": e.authority_id,
                "actor": e.actor.full_name if e.actor else None,
            }
            for e in selectors.timeline_for(user, r)
        ],
        "attachments": [
            {
                "id": a.pk,
                "name": a.original_name,
                "content_type": a.content_type,
                "size": a.size,
                "authority": a.authority_id,
            }
            for a in selectors.attachments_for(user, r)
        ],
        **_next_actions(user, r),
    }


def _next_actions(user, r: InformationRequest) -> dict:
    actions = permissions.available_actions(user, r)
    return {
        # The actions POST /actions/{action} takes; uploading goes to POST /attachments.
        "available_actions": [a.name for a in actions if not a.own_service],
        "can_attach": any(a.name == "attach" for a in actions),
    }


def acted(user, r: InformationRequest) -> dict:
    """The answer to an action, from the row the action saved (no query)."""
    return summary(r) | {"version": r.version} | _next_actions(user, r)


def _token_may_see(request, r: InformationRequest) -> bool:
    """A token acts for one authority: a party to the request, or a coordinator involved in it."""
    return request.api_token.authority_id in {r.requester_id, r.responder_id, r.referred_to_id} or (
        permissions.involved_coordinator(request.user, r)
    )


def _get(request, request_id: int) -> InformationRequest:
    r = selectors.request_get(request.user, request_id)
    if not _token_may_see(request, r):
        raise Http404
    return r


@router.get(
    "/question-sets",
    response={200: list[QuestionSetOut], **ERRORS},
    summary="Current question sets, in the reader's language",
)
def question_sets(request, legal_area: str = Query("", max_length=64, pattern=r"^[\w-]*$")):
    sets = QuestionSet.objects.filter(is_current=True).prefetch_related("questions__options", "questions__group")
    if legal_area:
        sets = sets.filter(legal_area_id=legal_area)
    return [
        {
            "code": s.code,
            "version": s.version,
            "legal_area": s.legal_area_id,
            "title": s.title,
            "questions": [
                {
                    "code": q.code,
                    "group": q.group.title,
                    "type": q.type,
                    "text": q.text,
                    "options": [{"code": o.code, "label": o.label} for o in q.options.all()],
                }
                for q in s.questions.all()
            ],
        }
        for s in sets
    ]


@router.get("/requests", response={200: RequestPage, **ERRORS}, summary="Inbox or outbox of the token's authority")
def request_list(request, filters: Query[BoxIn]):
    box_filters = selectors.BoxFilters(**filters.dict(exclude={"page", "page_size"}))
    qs = selectors.box(request.user, box_filters).filter(
        **{("responder_id" if filters.box == "inbox" else "requester_id"): request.api_token.authority_id}
    )
    paginator = Paginator(qs, filters.page_size)
    page = paginator.get_page(filters.page)
    results = [summary(r) for r in page] if filters.page <= paginator.num_pages else []
    return {
        "count": paginator.count,
        "page": filters.page,
        "pages": paginator.num_pages,
        "counts": selectors.state_counts(request.user, box_filters),
        "results": results,
    }


def _draft(payload: DraftIn) -> services.DraftData:
    return services.DraftData(**payload.dict(exclude={"version"}))


@router.post("/requests", response={201: RequestActedOut, **ERRORS}, summary="Create a draft request")
def request_create(request, payload: DraftIn):
    """Answers with the draft as an action does (its id, version and the actions open);
    GET /requests/{id} has the questions and the timeline."""
    r = services.request_create(actor=request.user, requester=request.api_token.authority, data=_draft(payload))
    return Status(201, acted(request.user, r))


def _translation_out(t) -> dict:
    return {
        "text": t.text,
        "engines": t.engines,
        "route": t.languages,
        "cached": t.cached,
        "error": t.error or None,
        "machine_translation": True,
    }


@router.get(
    "/requests/{request_id}",
    response={200: RequestDetailOut, **ERRORS},
    exclude_unset=True,  # the translations are there only when asked for (RequestDetailOut)
    summary="One request with its timeline",
)
def request_detail(request, request_id: int, translate_to: str = ""):
    """With ``translate_to`` (a language code), free text and messages also carry a machine
    translation into that language; the originals are always there."""
    r = _get(request, request_id)
    body = detail(request.user, r)
    if body["subject"] is not None:
        services.personal_data_shown(actor=request.user, request=r, channel="api")
    if translate_to:
        if translate_to not in dict(settings.LANGUAGES):
            raise ValidationError({"translate_to": [_("Unknown language code.")]})
        # Translated only where the original is shown: the selector asks the same visibility.
        translations = selectors.translations_for(
            request.user, r, selectors.messages_for(request.user, r), translate_to, same_language=True
        )
        if r.free_text:
            found = translations.get("free_text")
            body["free_text"]["translation"] = _translation_out(found) if found else None
        for message in body["messages"]:
            found = translations.get(f"message-{message['id']}")
            message["translation"] = _translation_out(found) if found else None
    return body


@router.patch(
    "/requests/{request_id}", response={200: RequestDetailOut, **ERRORS}, exclude_unset=True, summary="Edit a draft"
)
def request_update(request, request_id: int, payload: DraftIn):
    r = services.request_update_draft(
        actor=request.user, request=_get(request, request_id), data=_draft(payload), version=payload.version
    )
    return detail(request.user, selectors.request_get(request.user, r.pk))


@router.post(
    "/requests/{request_id}/actions/{action}",
    response={200: RequestActedOut, **ERRORS},
    summary="Take a workflow action (submit, accept, answer, …)",
)
def request_action(request, request_id: int, action: ActionName, payload: ActionIn):
    # The locking query reads the request and checks that this token may see it: one query.
    values = payload.dict(exclude={"version", "text", "language"})
    r = services.request_act(
        actor=request.user,
        request=request_id,
        visible=lambda r: permissions.can_view(request.user, r) and _token_may_see(request, r),
        action=str(action),
        version=payload.version,
        text=payload.text,
        language=payload.language,
        **values,
    )
    return acted(request.user, r)


@router.post(
    "/requests/{request_id}/attachments",
    response={201: AttachmentAddedOut, **ERRORS, 503: ErrorOut},
    summary="Attach a document",
)
def attachment_upload(request, request_id: int, file: File[UploadedFile]):
    """422 when the file is refused (size, type, a virus); 503 when it cannot be checked for
    viruses now (retry later)."""
    attachment = services.attachment_add(actor=request.user, request=_get(request, request_id), upload=file)
    return Status(
        201,
        {
            "id": attachment.pk,
            "name": attachment.original_name,
            "content_type": attachment.content_type,
            "size": attachment.size,
        },
    )


@router.get(
    "/requests/{request_id}/attachments/{attachment_id}",
    response=ERRORS,
    # The document itself, in the type detected when it was attached; ninja cannot describe a
    # file answer from a response schema, so it is declared here.
    openapi_extra={
        "responses": {
            200: {
                "description": "The document",
                "content": {t: {"schema": {"type": "string", "format": "binary"}} for t in ALLOWED},
            }
        }
    },
    summary="Download a document",
)
def attachment_download(request, request_id: int, attachment_id: int):
    _get(request, request_id)
    attachment = selectors.attachment_get(request.user, request_id, attachment_id)
    services.personal_data_shown(actor=request.user, request=attachment.request, attachment=attachment, channel="api")
    return FileResponse(
        attachment.file.open("rb"),
        as_attachment=True,
        filename=attachment.original_name,
        content_type=attachment.content_type,
    )
