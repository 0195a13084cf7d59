"""Every change to an information request. One entry point per kind of change:

- :func:`request_create` / :func:`request_update_draft` compose a draft;
- :func:`request_act` applies any action of the workflow table;
- :func:`attachment_add` stores a checked document.

Each checks permission, runs in one transaction with the request row locked, refuses a stale
``version`` (two people acting at once: exactly one wins), records an event and writes
notifications to the outbox."""

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from openimi.accounts.models import Role, User
from openimi.directory.models import Authority, AuthorityArea, AuthorityStatus, CoordinatorFunction
from openimi.directory.permissions import ALERT_KINDS, has_role, roles_of
from openimi.exchanges import permissions
from openimi.exchanges.attachments import InfectedUpload, check_upload
from openimi.exchanges.models import (
    Answer,
    Attachment,
    InformationRequest,
    Message,
    RequestEvent,
    RequestQuestion,
    RequestSeen,
    State,
)
from openimi.exchanges.workflow import Action
from openimi.exchanges.workflow import RequestChanged as RequestChanged  # re-exported: callers catch it here
from openimi.lib import formats
from openimi.lib.text import clean_text
from openimi.notifications.models import Kind
from openimi.notifications.services import notify
from openimi.privacy.audit import audit
from openimi.questionnaires.models import QuestionSet, QuestionType
from openimi.questionnaires.services import clean_answer

MAX_TEXT = 20_000
LANGUAGES = {code for code, _name in settings.LANGUAGES}


@dataclass
class DraftData:
    legal_area: str
    question_set: str = ""  # code; the current version is used
    responder: int | None = None
    subject_name: str = ""
    subject_identifiers: str = ""
    subject_address: str = ""
    subject_birth_date: datetime.date | None = None
    questions: list[str] = field(default_factory=list)
    free_text: str = ""
    free_text_language: str = ""
    reply_by: datetime.date | None = None


def _validate_draft(data: DraftData, requester: Authority) -> tuple[QuestionSet, list, Authority | None]:
    errors: dict[str, list[str]] = {}
    for name, limit in (("subject_name", 300), ("subject_identifiers", 300), ("subject_address", 500)):
        setattr(data, name, clean_text(getattr(data, name), name, errors, limit=limit))
    data.free_text = clean_text(data.free_text, "free_text", errors, limit=MAX_TEXT)
    if data.free_text_language and data.free_text_language not in LANGUAGES:
        errors["free_text_language"] = [_("Choose a language from the list.")]
    if not requester.area_grants.filter(legal_area_id=data.legal_area).exists():
        errors["legal_area"] = [_("Your authority has no access to this legal area.")]
    current = QuestionSet.objects.filter(legal_area_id=data.legal_area, is_current=True)
    qset = (current.filter(code=data.question_set) if data.question_set else current).first()
    if qset is None:
        errors["question_set"] = [_("Choose a question set of this legal area.")]
        raise ValidationError(errors)
    by_code = {q.code: q for q in qset.questions.all()}
    unknown = [code for code in data.questions if code not in by_code]
    if unknown:
        errors["questions"] = [_("Unknown question codes: %(codes)s.") % {"codes": ", ".join(unknown[:10])}]
    responder = None
    if data.responder is not None:
        responder = Authority.objects.filter(pk=data.responder, status=AuthorityStatus.ACTIVE).first()
        if responder is None:
            errors["responder"] = [_("Choose an active authority from the directory.")]
        elif responder.country_id == requester.country_id:
            errors["responder"] = [_("The responding authority must be in another country.")]
    if data.reply_by is not None and data.reply_by <= timezone.localdate():
        errors["reply_by"] = [_("The reply date must be in the future.")]
    if data.subject_birth_date is not None and data.subject_birth_date >= timezone.localdate():
        errors["subject_birth_date"] = [_("The date of birth must be in the past.")]
    if errors:
        raise ValidationError(errors)
    return qset, [by_code[c] for c in dict.fromkeys(data.questions)], responder


def _apply_draft(
    request: InformationRequest, data: DraftData, qset: QuestionSet, questions: list, responder: Authority | None
) -> None:
    request.legal_area_id = data.legal_area
    request.question_set = qset
    request.responder = responder
    for name in (
        "subject_name",
        "subject_identifiers",
        "subject_address",
        "subject_birth_date",
        "free_text",
        "reply_by",
    ):
        setattr(request, name, getattr(data, name))
    request.free_text_language = data.free_text_language or ""
    request.updated_at = timezone.now()
    new = request.pk is None
    request.save()
    if not new:
        request.chosen.all().delete()
    RequestQuestion.objects.bulk_create([RequestQuestion(request=request, question=q) for q in questions])


def request_create(*, actor: User, requester: Authority, data: DraftData) -> InformationRequest:
    """Start a draft on behalf of one of the actor's authorities (handlers only)."""
    if not has_role(actor, requester.pk, Role.REQUEST_HANDLER, data.legal_area):
        raise PermissionDenied(_("You need the request handler role in this legal area."))
    if not data.free_text_language:
        data.free_text_language = actor.language
    qset, questions, responder = _validate_draft(data, requester)
    with transaction.atomic():
        request = InformationRequest(requester=requester, created_by=actor, question_set=qset)
        _apply_draft(request, data, qset, questions, responder)
        request_event_record(request=request, actor=actor, authority_id=requester.pk, action="created")
    return request


def request_update_draft(*, actor: User, request: InformationRequest, data: DraftData, version: int | None = None):
    with transaction.atomic():
        locked = _lock(request, version)
        if locked.state != State.DRAFT:
            raise ValidationError({"state": _("Only drafts can be edited.")})
        if not has_role(actor, locked.requester_id, Role.REQUEST_HANDLER, data.legal_area):
            raise PermissionDenied(_("You need the request handler role in this legal area."))
        qset, questions, responder = _validate_draft(data, locked.requester)
        _apply_draft(locked, data, qset, questions, responder)
        locked.version += 1
        locked.save(update_fields=["version"])
        request_event_record(request=locked, actor=actor, authority_id=locked.requester_id, action="edited")
    return locked


# Read with the locked row, as the handlers and the notifications need them (one query, not five).
LOCKED_RELATED = ("requester", "responder", "responder_handler", "legal_area", "question_set")


def _lock(request: InformationRequest, version: int | None) -> InformationRequest:
    return permissions.REQUESTS.lock(request, version, related=LOCKED_RELATED)


def request_event_record(
    *,
    request: InformationRequest,
    actor,
    authority_id: int | None,
    action: str,
    from_state: str | None = None,
    to_state: str | None = None,
    internal: bool = False,
    audit_action: str = "",
    audit_extra: dict | None = None,
    **data,
) -> RequestEvent:
    """The one way to put an event on a request's timeline (the workflow's record step, drafts,
    uploads, deadline jobs, data-subject rights): the event row, then its audit entry as the last
    write of the caller's transaction, so the audit head stays locked only for the insert and the
    commit. States default to the request's current one; the caller has locked the request and
    bumped its version if the row changed."""
    from_state = from_state or request.state
    to_state = to_state or request.state
    event = RequestEvent.objects.create(
        request=request,
        actor=actor,
        authority_id=authority_id,
        action=action,
        from_state=from_state,
        to_state=to_state,
        data=data,
        internal=internal,
    )
    audit(
        actor=actor,
        action=audit_action or f"request.{action}",
        obj=request,
        authority_id=authority_id,
        from_state=from_state,
        to_state=to_state,
        **data,
        **(audit_extra or {}),
    )
    return event


def handlers_of(authority_id: int | None, area: str, roles=(Role.REQUEST_HANDLER, Role.REQUEST_ALLOCATOR)):
    """Active members holding one of ``roles`` in ``area`` (or in all areas), of an active
    authority: a suspended authority's people receive nothing new (as in roles_of)."""
    if authority_id is None:
        return User.objects.none()
    # One filter() call, so that all conditions apply to the same role grant.
    return User.objects.filter(
        Q(memberships__roles__legal_area_id=area) | Q(memberships__roles__legal_area__isnull=True),
        is_active=True,
        memberships__authority_id=authority_id,
        memberships__authority__status=AuthorityStatus.ACTIVE,
        memberships__roles__role__in=roles,
    ).distinct()


def coordinator_users(authority_id: int | None):
    if authority_id is None:
        return User.objects.none()
    return User.objects.filter(
        is_active=True,
        memberships__authority_id=authority_id,
        memberships__authority__status=AuthorityStatus.ACTIVE,
        memberships__roles__role=Role.LOCAL_ADMIN,
    ).distinct()


def _responder_people(request):
    if request.responder_handler_id:
        # The allocated handler is named on the row; a suspended authority's receives nothing.
        allocators = handlers_of(request.responder_id, request.legal_area_id, roles=(Role.REQUEST_ALLOCATOR,))
        if request.responder.status != AuthorityStatus.ACTIVE:
            return allocators
        # A queryset, not a list: notify() writes the rows without reading the users.
        return User.objects.filter(Q(pk=request.responder_handler_id) | Q(pk__in=allocators.values("pk")))
    return handlers_of(request.responder_id, request.legal_area_id)


def _requester_people(request):
    return handlers_of(request.requester_id, request.legal_area_id, roles=(Role.REQUEST_HANDLER,))


def _national_coordinator(country: str) -> int | None:
    return (
        CoordinatorFunction.objects.filter(country_id=country, kind="national")
        .values_list("authority_id", flat=True)
        .first()
    )


def request_act(
    *,
    actor: User,
    request: InformationRequest | int,
    action: str,
    version: int | None = None,
    text: str = "",
    language: str = "",
    visible: Callable[[InformationRequest], bool] | None = None,
    **payload,
) -> InformationRequest:
    """Apply one workflow action. Raises PermissionDenied (not yours to do), ValidationError
    (wrong state or bad input, naming the field), or RequestChanged (someone was faster).
    ``request`` may be only the key: the locking query then reads it, and ``visible`` (by
    default: the actor may see it) answers Http404 for a request the actor may not see."""
    spec = permissions.REQUESTS.get(action)
    errors: dict[str, list[str]] = {}
    text = clean_text(text, "text", errors, required=spec.needs_text, limit=MAX_TEXT)
    if language and language not in LANGUAGES:
        errors["language"] = [_("Choose a language from the list.")]
    if errors:
        raise ValidationError(errors)
    outcome = permissions.REQUESTS.apply(
        actor=actor,
        obj=request,
        action=action,
        version=version,
        payload={**payload, "text": text, "language": language},
        related=LOCKED_RELATED,
        visible=visible or (_viewable_by(actor) if isinstance(request, int) else None),
    )
    return outcome.obj


def _viewable_by(actor: User) -> Callable[[InformationRequest], bool]:
    return lambda request: permissions.can_view(actor, request)


def _record(actor, request, spec: Action, from_state: str, to_state: str, payload: dict, authority_id) -> None:
    """The workflow core's record step: the text as a message, then the timeline event and
    the audit entry (for the authority on whose behalf the actor acted)."""
    if payload["text"]:
        Message.objects.create(
            request=request,
            kind=spec.message_kind or "note",
            author=actor,
            authority_id=authority_id,
            text=payload["text"],
            language=payload["language"] or actor.language,
            internal=spec.internal,
        )
    request_event_record(
        request=request,
        actor=actor,
        authority_id=authority_id,
        action=spec.name,
        from_state=from_state,
        to_state=to_state,
        internal=spec.internal,
        **_event_data(payload),
    )


def _event_data(payload: dict) -> dict:
    """What the timeline shows about the action: no answer values and no personal data."""
    data = {}
    for key in ("to_authority", "handler", "date", "partial", "rating_timeliness", "rating_effort"):
        if payload.get(key) not in (None, ""):
            data[key] = str(payload[key])
    return data


# -- one handler per action: checks its own input, changes the row, returns a new state or None


def _submit(actor, request, spec, payload):
    errors = {}
    # Both checks in one query.
    found = (
        InformationRequest.objects.filter(pk=request.pk)
        .annotate(
            competent=Exists(
                AuthorityArea.objects.filter(
                    authority_id=OuterRef("responder_id"), legal_area_id=OuterRef("legal_area_id")
                )
            ),
            has_questions=Exists(RequestQuestion.objects.filter(request_id=OuterRef("pk"))),
        )
        .values("competent", "has_questions")
    )
    checks = next(iter(found))
    if request.responder_id is None:
        errors["responder"] = [_("Choose the responding authority.")]
    elif not checks["competent"]:
        errors["responder"] = [_("This authority is not competent for the request's legal area.")]
    if not request.subject_name:
        errors["subject_name"] = [_("Name the professional or provider the request is about.")]
    if not checks["has_questions"]:
        errors["questions"] = [_("Choose at least one question.")]
    if request.reply_by is None or request.reply_by <= timezone.localdate():
        errors["reply_by"] = [_("Give a reply date in the future.")]
    if request.question_set.is_current is False and not request.reference:
        errors["question_set"] = [_("This question set has a newer version; choose the questions again.")]
    if errors:
        raise ValidationError(errors)
    now = timezone.now()
    if not request.reference:
        request.reference = f"{request.requester.country_id}-{now:%Y}-{request.pk:07d}"
    if request.requester.requests_need_approval:
        notify(
            recipients=coordinator_users(_national_coordinator(request.requester.country_id)),
            kind=Kind.APPROVAL_NEEDED,
            request=request,
        )
        return State.AWAITING_APPROVAL
    _send(request, now)
    return State.SENT


def _send(request, now) -> None:
    request.sent_at = now
    request.acceptance_deadline = now + datetime.timedelta(days=request.legal_area.acceptance_days)
    request.is_overdue = False
    notify(
        recipients=handlers_of(request.responder_id, request.legal_area_id), kind=Kind.REQUEST_RECEIVED, request=request
    )


def _approve(actor, request, spec, payload):
    _send(request, timezone.now())
    return State.SENT


def _reject(actor, request, spec, payload):
    notify(recipients=_requester_people(request), kind=Kind.REJECTED, request=request)


def _accept(actor, request, spec, payload):
    request.accepted_at = timezone.now()
    request.is_overdue = False
    if request.responder_handler_id is None and has_role(
        actor, request.responder_id, Role.REQUEST_HANDLER, request.legal_area_id
    ):
        request.responder_handler = actor


def _forward(actor, request, spec, payload):
    target = Authority.objects.filter(
        pk=_int(payload.get("to_authority"), "to_authority"), status=AuthorityStatus.ACTIVE
    ).first()
    if target is None or target.pk in (request.responder_id, request.requester_id):
        raise ValidationError({"to_authority": [_("Choose another active authority.")]})
    if target.country_id != request.responder.country_id:
        raise ValidationError({"to_authority": [_("Requests can only be forwarded within the responder's country.")]})
    is_coordinator = CoordinatorFunction.objects.filter(authority=target).exclude(kind__in=ALERT_KINDS).exists()
    if not is_coordinator and not target.area_grants.filter(legal_area_id=request.legal_area_id).exists():
        raise ValidationError({"to_authority": [_("This authority is not competent for the request's legal area.")]})
    request.responder = target
    request.responder_handler = None
    _send(request, timezone.now())
    notify(recipients=_requester_people(request), kind=Kind.FORWARDED, request=request)


def _allocate(actor, request, spec, payload):
    handler = User.objects.filter(pk=_int(payload.get("handler"), "handler"), is_active=True).first()
    if handler is None or not has_role(handler, request.responder_id, Role.REQUEST_HANDLER, request.legal_area_id):
        raise ValidationError({"handler": [_("Choose a request handler of your authority for this legal area.")]})
    request.responder_handler = handler
    notify(recipients=[handler], kind=Kind.ALLOCATED, request=request)


def _request_clarification(actor, request, spec, payload):
    notify(recipients=_requester_people(request), kind=Kind.CLARIFICATION_REQUESTED, request=request)


def _give_clarification(actor, request, spec, payload):
    notify(recipients=_responder_people(request), kind=Kind.CLARIFICATION_GIVEN, request=request)


def _answer(actor, request, spec, payload):
    answers = payload.get("answers") or {}
    if not isinstance(answers, dict):
        raise ValidationError({"answers": [_("Give the answers as a mapping of question codes to values.")]})
    chosen = {
        rq.question.code: rq.question
        for rq in request.chosen.select_related("question").prefetch_related("question__options")
    }
    # The responder's documents, read only when a question asks for one.
    asks_file = any(q.type == QuestionType.FILE for q in chosen.values())
    attachment_ids = (
        set(request.attachments.filter(authority_id=request.responder_id).values_list("pk", flat=True))
        if asks_file
        else set()
    )
    errors, clean = {}, {}
    for code, value in answers.items():
        if code not in chosen:
            errors[f"answers.{code}"] = [_("This question was not asked in this request.")]
            continue
        if value in (None, "", []):
            continue
        try:
            clean[code] = clean_answer(chosen[code], value, attachment_ids=attachment_ids)
        except ValidationError as exc:
            errors[f"answers.{code}"] = exc.messages
    if errors:
        raise ValidationError(errors)
    existing = {a.question_id: a for a in request.answers.all()}
    for code, value in clean.items():
        question = chosen[code]
        if question.pk in existing:
            Answer.objects.filter(pk=existing[question.pk].pk).update(
                value=value, answered_by=actor, answered_at=timezone.now()
            )
        else:
            Answer.objects.create(request=request, question=question, value=value, answered_by=actor)
    # What is answered now, known without reading it back: the answers there were and those
    # just written (an answer is only ever given to a question of the request).
    code_of = {q.pk: code for code, q in chosen.items()}
    answered = {code_of.get(question_id, str(question_id)) for question_id in existing} | set(clean)
    expected = {code for code, q in chosen.items() if applies(q, request)}
    partial = bool(payload.get("partial"))
    if not (expected <= answered) and not partial:
        # Each unanswered question named by its own field, never a list of codes in one message:
        # pages put the error on the question, the API names the field.
        message = _("Answer this question, or say that this is a partial answer.")
        raise ValidationError({f"answers.{code}": [message] for code in sorted(expected - answered)})
    if not answered:
        raise ValidationError({"answers": [_("Answer at least one question.")]})
    request.partial_answer = partial and not (expected <= answered)
    request.answered_at = timezone.now()
    request.is_overdue = False
    notify(recipients=_requester_people(request), kind=Kind.ANSWERED, request=request)


def existing_codes(request) -> list[str]:
    return list(request.answers.values_list("question__code", flat=True))


def applies(question, request) -> bool:
    """A conditional question applies only if the earlier answer matches its condition."""
    if not question.condition_question:
        return True
    earlier = request.answers.filter(question__code=question.condition_question).first()
    return earlier is not None and earlier.value == question.condition_value


def _accept_answer(actor, request, spec, payload):
    for name in ("rating_timeliness", "rating_effort"):
        value = payload.get(name)
        if value in (None, ""):
            continue
        value = _int(value, name)
        if not 1 <= value <= 5:
            raise ValidationError({name: [_("Give a rating from 1 to 5.")]})
        setattr(request, name, value)
    request.closed_at = timezone.now()
    notify(recipients=_responder_people(request), kind=Kind.CLOSED, request=request)


def _ask_further(actor, request, spec, payload):
    notify(recipients=_responder_people(request), kind=Kind.FURTHER_QUESTIONS, request=request)


def _withdraw(actor, request, spec, payload):
    if request.state != State.DRAFT:
        notify(recipients=_responder_people(request), kind=Kind.WITHDRAWN, request=request)


def _propose_date(actor, request, spec, payload):
    date = _date(payload.get("date"), "date")
    if date <= timezone.localdate():
        raise ValidationError({"date": [_("The reply date must be in the future.")]})
    request.proposed_reply_by = date
    notify(recipients=_requester_people(request), kind=Kind.DATE_PROPOSED, request=request)


def _agree_date(actor, request, spec, payload):
    request.reply_by, request.proposed_reply_by = request.proposed_reply_by, None
    request.is_overdue = False
    notify(recipients=_responder_people(request), kind=Kind.DATE_AGREED, request=request)


def _refuse_date(actor, request, spec, payload):
    request.proposed_reply_by = None
    notify(recipients=_responder_people(request), kind=Kind.DATE_REFUSED, request=request)


def _refer(actor, request, spec, payload):
    own = request.requester if request.requester_id in roles_of(actor) else request.responder
    coordinator = _national_coordinator(own.country_id)
    if coordinator is None:
        raise ValidationError({"text": [_("Your country has no coordinator in OpenIMI yet.")]})
    request.referred_to_id = coordinator
    notify(recipients=coordinator_users(coordinator), kind=Kind.REFERRED, request=request)


def _note(actor, request, spec, payload):
    return None


def _comment(actor, request, spec, payload):
    notify(recipients=[*_requester_people(request), *_responder_people(request)], kind=Kind.COMMENT, request=request)


def _remind(actor, request, spec, payload):
    request.reminded_at = timezone.now()
    notify(recipients=_responder_people(request), kind=Kind.REMINDER, request=request)


permissions.REQUESTS.bind(
    record=_record,
    handlers={
        "submit": _submit,
        "approve": _approve,
        "reject": _reject,
        "accept": _accept,
        "forward": _forward,
        "allocate": _allocate,
        "request_clarification": _request_clarification,
        "give_clarification": _give_clarification,
        "answer": _answer,
        "accept_answer": _accept_answer,
        "ask_further": _ask_further,
        "withdraw": _withdraw,
        "propose_date": _propose_date,
        "agree_date": _agree_date,
        "refuse_date": _refuse_date,
        "refer": _refer,
        "note": _note,
        "comment": _comment,
        "remind": _remind,
    },
)


def _int(value, name: str) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise ValidationError({name: [_("Enter a whole number.")]}) from None


def _date(value, name: str) -> datetime.date:
    if isinstance(value, datetime.date):
        return value
    try:
        return formats.parse_iso_date(value)
    except ValueError:
        raise ValidationError({name: [_("Enter a date as YYYY-MM-DD.")]}) from None


def attachment_add(*, actor: User, request: InformationRequest, upload) -> Attachment:
    """Store a document after checking its size, real type and for viruses: the "attach"
    action of the workflow table, refused like any action to those whose role or state does
    not allow it. A file carrying a virus is refused and the refusal audited."""
    spec = permissions.REQUESTS.transitions["attach"]
    # Checked first without the lock, so that a refused upload costs no scan...
    if not permissions.REQUESTS.allowed(actor, request, spec):
        raise PermissionDenied(_("You cannot add documents to this request."))
    authority_id = permissions.acting_authority_id(actor, request, spec)
    if authority_id is None:  # allowed() puts the actor on a side, so only a request without a responder
        raise PermissionDenied(_("You cannot add documents to this request."))
    try:
        checked = check_upload(upload)
    except InfectedUpload as exc:
        # Before the transaction below, and committed on its own: the refusal must stay in the
        # audit log although the action fails. Callers must not wrap this service in a
        # transaction of their own (no ATOMIC_REQUESTS), or the entry would roll back with it.
        # No file name: names can carry a data subject's name, and the audit log is kept whole.
        audit(
            actor=actor,
            action="attachment_refused_infected",
            obj=request,
            authority_id=authority_id,
            signature=exc.signature,
            size=exc.size,
        )
        raise
    attachment = Attachment(
        authority_id=authority_id,
        uploaded_by=actor,
        original_name=checked.safe_name,
        content_type=checked.content_type,
        size=checked.size,
    )
    try:
        with transaction.atomic():
            # ...and again under the row lock, as request_act does: a withdrawal committed
            # meanwhile must refuse the upload (exactly one of the two wins).
            locked = _lock(request, None)
            permissions.REQUESTS.check(actor, locked, "attach")
            attachment.request = locked
            # The file is written inside the transaction, so that a refused upload writes
            # nothing; if the transaction rolls back it is removed below. (A rollback of a
            # caller's outer transaction leaves an orphan: attachments_cleanup removes it.)
            attachment.file.save(checked.storage_name, checked.content, save=False)
            attachment.save()
            # The id, not the file name: names can carry the data subject's name, and events
            # outlive the attachments that retention deletes.
            request_event_record(
                request=locked,
                actor=actor,
                authority_id=authority_id,
                action="attachment_added",
                attachment=attachment.pk,
            )
    except BaseException:
        if attachment.file.name:
            attachment.file.storage.delete(attachment.file.name)
        raise
    return attachment


def request_seen(*, actor, request: InformationRequest) -> None:
    """Remember that ``actor`` opened the request now (the inbox's "New" marker): one upsert,
    no event or audit entry (it records nothing about the exchange itself). Only for a
    request the actor may see."""
    if not permissions.can_view(actor, request):
        raise PermissionDenied(_("You are not allowed to do this."))
    RequestSeen.objects.bulk_create(
        [RequestSeen(user=actor, request=request, seen_at=timezone.now())],
        update_conflicts=True,
        unique_fields=["user", "request"],
        update_fields=["seen_at"],
    )


def personal_data_shown(*, actor, request: InformationRequest, channel: str, attachment: Attachment | None = None):
    """Record in the audit log that ``actor`` was shown the request's personal data (or
    downloaded one of its documents), for the authority they read it for."""
    audit(
        actor=actor,
        action="personal_data.download" if attachment is not None else "personal_data.view",
        obj=attachment if attachment is not None else request,
        authority_id=permissions.viewer_authority_id(actor, request),
        channel=channel,
    )
