"""Retention of personal data in exchanges (IMI Regulation 1024/2012 Art. 14).

After formal closure (or withdrawal) personal data is **blocked** once the legal area's
period has passed (6 months by default, at most 18), and **deleted** 3 years after closure,
attachments and contest marks included; machine translations of its text (copies of what it
says) are deleted as soon as it is blocked, since nobody may read them any more; completed
data-subject requests are deleted 3 years after completion. Which fields count is read from
:mod:`openimi.privacy.personal_data`.
The job works in batches, only ever moves rows forward (blocked, then deleted), and can be
interrupted and run again at any time: it is idempotent and resumable."""

import datetime

from django.core.files.storage import default_storage
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone

from openimi.core.models import LegalArea
from openimi.exchanges.models import Answer, Attachment, InformationRequest, Message, State
from openimi.privacy.audit import audit
from openimi.privacy.models import ContestMark, SubjectRequest
from openimi.privacy.personal_data import SUBJECT, fields_of
from openimi.translation.models import CachedTranslation, PendingTranslation

DELETE_AFTER = datetime.timedelta(days=3 * 365)
BATCH = 5000
ENDED = [State.CLOSED, State.WITHDRAWN]


def _ended_before(cutoff) -> Q:
    return Q(state=State.CLOSED, closed_at__lt=cutoff) | Q(state=State.WITHDRAWN, updated_at__lt=cutoff)


def block_due(now=None) -> int:
    now = now or timezone.now()
    blocked = 0
    for area in LegalArea.objects.all():
        cutoff = now - datetime.timedelta(days=30 * area.retention_block_months)
        while True:
            ids = list(
                InformationRequest.objects.filter(
                    _ended_before(cutoff), legal_area=area, personal_data_blocked_at__isnull=True
                ).values_list("pk", flat=True)[:BATCH]
            )
            if not ids:
                break
            with transaction.atomic():
                _drop_translations(ids)
                blocked += InformationRequest.objects.filter(pk__in=ids, personal_data_blocked_at__isnull=True).update(
                    personal_data_blocked_at=now
                )
    return blocked


def _drop_translations(ids: list[int]) -> None:
    CachedTranslation.objects.filter(request_id__in=ids).delete()
    PendingTranslation.objects.filter(request_id__in=ids).delete()


def _empty_values() -> dict[str, str | None]:
    values: dict[str, str | None] = {}
    for name in fields_of("exchanges.InformationRequest", SUBJECT):
        field = InformationRequest._meta.get_field(name)
        values[name] = None if isinstance(field, models.Field) and field.null else ""
    return values


def delete_due(now=None) -> int:
    now = now or timezone.now()
    cutoff = now - DELETE_AFTER
    deleted = 0
    empty = _empty_values()
    while True:
        ids = list(
            InformationRequest.objects.filter(_ended_before(cutoff), personal_data_deleted_at__isnull=True).values_list(
                "pk", flat=True
            )[:BATCH]
        )
        if not ids:
            break
        files = list(Attachment.objects.filter(request_id__in=ids).values_list("file", flat=True))
        with transaction.atomic():
            Answer.objects.filter(request_id__in=ids).delete()
            Message.objects.filter(request_id__in=ids).update(text="")
            Attachment.objects.filter(request_id__in=ids).delete()
            ContestMark.objects.filter(request_id__in=ids).delete()
            _drop_translations(ids)
            deleted += InformationRequest.objects.filter(pk__in=ids, personal_data_deleted_at__isnull=True).update(
                personal_data_deleted_at=now, personal_data_blocked_at=now, **empty
            )
        _remove_files(files)
    return deleted


def _remove_files(names: list[str]) -> None:
    """Files go after the rows are committed; a crash in between leaves only orphan files,
    which the next run cannot see but never exposes (no row points to them)."""
    for name in names:
        if name:
            default_storage.delete(name)


def delete_subject_requests_due(now=None) -> int:
    """Data-subject requests are kept 3 years after they were completed, then deleted."""
    cutoff = (now or timezone.now()) - DELETE_AFTER
    deleted, _by_model = SubjectRequest.objects.filter(
        status=SubjectRequest.Status.COMPLETED, completed_at__lt=cutoff
    ).delete()
    return deleted


def apply_retention(now=None) -> dict:
    result = {"blocked": block_due(now), "deleted": delete_due(now)}
    subject_requests = delete_subject_requests_due(now)
    if subject_requests:
        result["subject_requests_deleted"] = subject_requests
    if result["blocked"] or result["deleted"]:
        audit(actor=None, action="retention.applied", **result)
    return result
