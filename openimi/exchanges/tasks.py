"""Periodic work on requests: mark overdue ones, remind the handlers, escalate to the
coordinators in scope after the legal area's escalation delay. Idempotent: running it twice
changes nothing the second time."""

import datetime

from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django_tasks import task

from openimi.exchanges.models import Attachment, InformationRequest, State
from openimi.exchanges.selectors import overdue_candidates
from openimi.exchanges.services import (
    _national_coordinator,
    _responder_people,
    coordinator_users,
    request_event_record,
)
from openimi.notifications.models import Kind
from openimi.notifications.services import notify

BATCH = 500


def _escalation_due(request, now) -> bool:
    delay = datetime.timedelta(days=request.legal_area.escalation_days)
    if request.state == State.SENT and request.acceptance_deadline:
        return now >= request.acceptance_deadline + delay
    if request.reply_by:
        return timezone.localdate(now) >= request.reply_by + delay
    return False


def mark_overdue(now=None) -> int:
    now = now or timezone.now()
    done = 0
    for pk in list(overdue_candidates(now).values_list("pk", flat=True)[:BATCH]):
        with transaction.atomic():
            request = InformationRequest.objects.select_for_update().filter(pk=pk, is_overdue=False).first()
            if request is None or not overdue_candidates(now).filter(pk=pk).exists():
                continue
            request.is_overdue = True
            request.reminded_at = now
            request.version += 1  # the request changed: a page opened before must reload
            request.save(update_fields=["is_overdue", "reminded_at", "version"])
            request_event_record(request=request, actor=None, authority_id=None, action="overdue")
            notify(recipients=_responder_people(request), kind=Kind.OVERDUE, request=request)
            done += 1
    return done


def escalate(now=None) -> int:
    now = now or timezone.now()
    done = 0
    open_overdue = InformationRequest.objects.filter(
        Q(state__in=[State.SENT, State.ACCEPTED, State.AWAITING_INFORMATION]),
        is_overdue=True,
        escalated_at__isnull=True,
    ).select_related("legal_area", "responder")
    for candidate in open_overdue[:BATCH]:
        # A sent request always has a responder, whose national coordinator is told.
        if candidate.responder is None or not _escalation_due(candidate, now):
            continue
        with transaction.atomic():
            request = InformationRequest.objects.select_for_update().get(pk=candidate.pk)
            if request.escalated_at is not None:
                continue
            request.escalated_at = now
            request.version += 1
            request.save(update_fields=["escalated_at", "version"])
            request_event_record(request=request, actor=None, authority_id=None, action="escalated")
            coordinator = _national_coordinator(candidate.responder.country_id)
            notify(recipients=coordinator_users(coordinator), kind=Kind.ESCALATED, request=request)
            done += 1
    return done


@task()
def check_deadlines() -> dict:
    """The deadlines of requests; those of data-subject requests are privacy's
    (``openimi.privacy.tasks.check_subject_request_deadlines``)."""
    return {"overdue": mark_overdue(), "escalated": escalate()}


ORPHAN_AGE = datetime.timedelta(hours=1)


def remove_orphan_files(now=None, *, directory: str = "attachments") -> int:
    """Delete stored files that no Attachment row points to, once older than an hour (an
    upload still in its transaction has a young file and no committed row yet). They are left
    by a caller's transaction that rolled back after attachment_add, or by a crash between
    retention's commit and its file removal. Returns how many files were deleted."""
    cutoff = (now or timezone.now()) - ORPHAN_AGE
    removed = 0
    pending = [directory]
    while pending:
        folder = pending.pop()
        try:
            folders, files = default_storage.listdir(folder)
        except FileNotFoundError:
            continue
        pending.extend(f"{folder}/{name}" for name in folders)
        names = [f"{folder}/{name}" for name in files]
        for start in range(0, len(names), BATCH):
            chunk = names[start : start + BATCH]
            known = set(Attachment.objects.filter(file__in=chunk).values_list("file", flat=True))
            for name in chunk:
                if name not in known and default_storage.get_modified_time(name) < cutoff:
                    default_storage.delete(name)
                    removed += 1
    return removed


@task()
def cleanup_attachments() -> dict:
    return {"orphan_files_removed": remove_orphan_files()}
