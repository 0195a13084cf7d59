"""Answer data-subject requests (record, show, export, rectify, contest, complete)."""

import datetime

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from openimi.accounts.models import Role, User
from openimi.directory.permissions import Perm, require
from openimi.exchanges.models import InformationRequest
from openimi.exchanges.permissions import reached_responder
from openimi.exchanges.services import RequestChanged, handlers_of, request_event_record
from openimi.lib.text import clean_text
from openimi.notifications.models import Kind
from openimi.notifications.services import notify
from openimi.privacy.audit import audit
from openimi.privacy.models import ContestMark, SubjectRequest
from openimi.privacy.selectors import export_data, holdings
from openimi.privacy.workflow import SUBJECT_REQUESTS

# Data-subject requests (IMI Regulation Art. 19; GDPR Art. 12: one month to answer).

ANSWER_WITHIN = datetime.timedelta(days=30)
RECTIFIABLE = ("subject_name", "subject_identifiers", "subject_address", "subject_birth_date")
MAX_TEXT = 5000


def _checked_text(value, field: str, limit: int, *, required: bool = False) -> str:
    """One text checked as every service checks free text; its error raised at once."""
    errors: dict = {}
    text = clean_text(value, field, errors, required=required, limit=limit)
    if errors:
        raise ValidationError(errors)
    return text


def subject_request_create(
    *,
    actor,
    authority,
    kind: str,
    person_name: str = "",
    person_identifiers: str = "",
    received_on: datetime.date | None = None,
    note: str = "",
):
    """Record a data-subject request received by ``authority``; due 30 days after receipt."""
    require(actor, Perm.SUBJECT_REQUEST_MANAGE, authority)
    errors: dict = {}
    if kind not in SubjectRequest.Kind.values:
        errors["kind"] = [_("Choose one of the proposed options.")]
    name = clean_text(person_name, "person_name", errors, limit=300)
    identifiers = clean_text(person_identifiers, "person_identifiers", errors, limit=300)
    note = clean_text(note, "note", errors, limit=MAX_TEXT)
    if not name and not identifiers and "person_name" not in errors:
        errors["person_name"] = [_("Give the person's name, an identifier, or both.")]
    today = timezone.localdate()
    received_on = received_on or today
    if received_on > today:
        errors["received_on"] = [_("The date of receipt cannot be in the future.")]
    elif received_on < today - datetime.timedelta(days=365):
        errors["received_on"] = [_("The date of receipt cannot be more than a year ago.")]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        subject_request = SubjectRequest.objects.create(
            authority=authority,
            kind=kind,
            person_name=name,
            person_identifiers=identifiers,
            note=note,
            received_on=received_on,
            due_on=received_on + ANSWER_WITHIN,
            created_by=actor,
        )
        audit(actor=actor, action="subject_request.created", obj=subject_request, authority_id=authority.pk, kind=kind)
    return subject_request


def _lock_open(subject_request):
    """The data-subject request, locked, while it is still open (rectify and contest need it)."""
    locked = SUBJECT_REQUESTS.lock(subject_request, related=("authority",))
    if locked.status not in SUBJECT_REQUESTS.get("complete").from_states:
        raise ValidationError({"status": SUBJECT_REQUESTS.wrong_state(locked)})
    return locked


def subject_request_complete(*, actor, subject_request, outcome: str):
    """Record the answer given to the person and close the request (the 30 days stop)."""
    require(actor, Perm.SUBJECT_REQUEST_MANAGE, subject_request.authority)
    outcome = _checked_text(outcome, "outcome", MAX_TEXT, required=True)
    return SUBJECT_REQUESTS.apply(
        actor=actor, obj=subject_request, action="complete", payload={"outcome": outcome}, related=("authority",)
    ).obj


def _completed(actor, subject_request, action, payload) -> None:
    subject_request.outcome = payload["outcome"]
    subject_request.completed_by = actor
    subject_request.completed_at = timezone.now()


def _record_subject_request(actor, subject_request, action, from_state, to_state, payload, context) -> None:
    audit(
        actor=actor, action="subject_request.completed", obj=subject_request, authority_id=subject_request.authority_id
    )


SUBJECT_REQUESTS.bind(record=_record_subject_request, handlers={"complete": _completed})


def _held_request(subject_request, request_pk):
    """One exchange found for the person (the only ones a data-subject request may touch)."""
    for holding in holdings(subject_request):
        if str(holding.request.pk) == str(request_pk):
            return holding.request
    raise Http404


def _other_side(request, authority_id: int) -> int | None:
    return request.responder_id if request.requester_id == authority_id else request.requester_id


def _tell_other_side(request, authority_id: int, kind: str) -> None:
    other = _other_side(request, authority_id)
    # The responder hears of a request only once it has reached it (exchanges.permissions).
    if other and (other == request.requester_id or reached_responder(request)):
        notify(recipients=handlers_of(other, request.legal_area_id), kind=kind, request=request)


def subject_data_show(*, actor, subject_request, holdings: list) -> None:
    """Record that the person's data found in ``holdings`` is being displayed or exported
    (blocked data included: this is the one audited way to see it)."""
    require(actor, Perm.SUBJECT_REQUEST_MANAGE, subject_request.authority)
    with transaction.atomic():
        for holding in holdings:
            audit(
                actor=actor,
                action="personal_data.view_blocked" if holding.blocked else "personal_data.view",
                obj=holding.request,
                authority_id=subject_request.authority_id,
                subject_request=subject_request.pk,
            )


def subject_data_export(*, actor, subject_request) -> dict:
    """Everything the authority holds on the person, as plain data (JSON-ready). Audited."""
    require(actor, Perm.SUBJECT_REQUEST_MANAGE, subject_request.authority)
    found = holdings(subject_request)
    data = export_data(subject_request, found)
    with transaction.atomic():
        audit(
            actor=actor,
            action="personal_data.export",
            obj=subject_request,
            authority_id=subject_request.authority_id,
            requests=[h.request.pk for h in found],
        )
    return data


def subject_data_rectify(*, actor, subject_request, request_pk, changes: dict, version: int | None = None):
    """Correct the subject's data in one exchange. The exchange is shared by both
    authorities, so the correction is recorded on its timeline and the other side told."""
    require(actor, Perm.SUBJECT_REQUEST_MANAGE, subject_request.authority)
    request = _held_request(subject_request, request_pk)
    cleaned: dict[str, str | datetime.date | None] = {}
    for field in RECTIFIABLE:
        if field not in changes:
            continue
        value = changes[field]
        if field == "subject_birth_date":
            if value is not None and not isinstance(value, datetime.date):
                raise ValidationError({field: _("Enter a valid date.")})
            if value is not None and value > timezone.localdate():
                raise ValidationError({field: _("The date of birth cannot be in the future.")})
            cleaned[field] = value
        else:
            model_field = InformationRequest._meta.get_field(field)
            limit = (model_field.max_length if isinstance(model_field, models.Field) else None) or MAX_TEXT
            cleaned[field] = _checked_text(value, field, limit)
    with transaction.atomic():
        _lock_open(subject_request)
        locked = InformationRequest.objects.select_for_update(of=("self",)).get(pk=request.pk)
        if version is not None and locked.version != version:
            raise RequestChanged
        changed = [f for f, v in cleaned.items() if getattr(locked, f) != v]
        if not changed:
            raise ValidationError({"__all__": _("Nothing was changed.")})
        for field in changed:
            setattr(locked, field, cleaned[field])
        locked.version += 1
        locked.updated_at = timezone.now()
        locked.save(update_fields=[*changed, "version", "updated_at"])
        # The event names the fields, never the values (the timeline is not personal data).
        request_event_record(
            request=locked,
            actor=actor,
            authority_id=subject_request.authority_id,
            action="personal_data_rectified",
            audit_action="personal_data.rectified",
            audit_extra={"subject_request": subject_request.pk},
            fields=changed,
        )
        _tell_other_side(locked, subject_request.authority_id, Kind.DATA_RECTIFIED)
    return locked


def subject_data_contest(*, actor, subject_request, request_pk, reason: str):
    """Mark an exchange's personal data as contested by the person; both sides see the mark."""
    require(actor, Perm.SUBJECT_REQUEST_MANAGE, subject_request.authority)
    request = _held_request(subject_request, request_pk)
    reason = _checked_text(reason, "reason", MAX_TEXT, required=True)
    with transaction.atomic():
        _lock_open(subject_request)
        if ContestMark.objects.filter(request=request, lifted_at__isnull=True).exists():
            raise ValidationError({"reason": _("This request's data is already marked as contested.")})
        mark = ContestMark.objects.create(
            request=request,
            subject_request=subject_request,
            authority_id=subject_request.authority_id,
            reason=reason,
            marked_by=actor,
        )
        request_event_record(
            request=request,
            actor=actor,
            authority_id=subject_request.authority_id,
            action="personal_data_contested",
            audit_action="personal_data.contested",
            audit_extra={"subject_request": subject_request.pk},
        )
        _tell_other_side(request, subject_request.authority_id, Kind.DATA_CONTESTED)
    return mark


def contest_lift(*, actor, mark):
    """The accuracy has been verified (or corrected): the contest mark is lifted."""
    require(actor, Perm.SUBJECT_REQUEST_MANAGE, mark.authority)
    with transaction.atomic():
        locked = ContestMark.objects.select_for_update().get(pk=mark.pk)
        if locked.lifted_at is not None:
            raise ValidationError({"__all__": _("This mark has already been lifted.")})
        locked.lifted_at = timezone.now()
        locked.lifted_by = actor
        locked.save(update_fields=["lifted_at", "lifted_by"])
        request_event_record(
            request=locked.request,
            actor=actor,
            authority_id=locked.authority_id,
            action="personal_data_contest_lifted",
            audit_action="personal_data.contest_lifted",
            audit_extra={"contest_mark": locked.pk},
        )
    return locked


def remind_subject_requests(now=None) -> int:
    """Tell the local administrators once when an open data-subject request is due within a
    week. Idempotent: each request is reminded once."""
    today = timezone.localdate(now)
    due = SubjectRequest.objects.filter(
        status=SubjectRequest.Status.OPEN,
        reminded_at__isnull=True,
        due_on__lte=today + datetime.timedelta(days=7),
    )
    sent = 0
    for subject_request in due.select_related("authority"):
        with transaction.atomic():
            if not SubjectRequest.objects.filter(pk=subject_request.pk, reminded_at__isnull=True).update(
                reminded_at=timezone.now()
            ):
                continue  # another worker got there first
            admins = User.objects.filter(
                is_active=True,
                memberships__authority_id=subject_request.authority_id,
                memberships__roles__role=Role.LOCAL_ADMIN,
            ).distinct()
            sent += notify(recipients=admins, kind=Kind.SUBJECT_REQUEST_DUE)
    return sent
