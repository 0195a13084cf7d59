"""Background jobs that talk to the outside world (run by the django-tasks worker)."""

import logging
from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django_tasks import task

from openimi.notifications.models import Notification

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 8
BATCH = 200


def mail_render(*, template: str, context: dict, language: str) -> tuple[str, str]:
    """Render ``notifications/<template>.txt`` (first line: subject) in ``language``."""
    with translation.override(language):
        text = render_to_string(f"notifications/{template}.txt", context).strip()
    subject, _, body = text.partition("\n")
    return subject.strip(), body.strip() + "\n"


def mail_send(*, to: list[str], subject: str, body: str) -> None:
    """Deliver one rendered mail over SMTP now (called from a task, never in a transaction)."""
    EmailMessage(subject=subject, body=body, from_email=settings.DEFAULT_FROM_EMAIL, to=to).send()


@task()
def send_email(*, to: list[str], subject: str, body: str) -> None:
    """Deliver one rendered mail over SMTP; a failure raises and is recorded by the worker.

    The queued task is stored in the database with its arguments, so a mail carrying a link
    that signs someone in (password, invitation) never goes through here: its own task gets a
    reference and makes the link at send time (accounts.tasks, directory.tasks)."""
    mail_send(to=to, subject=subject, body=body)


def _render(notifications, user) -> tuple[str, str]:
    with translation.override(user.language):
        text = render_to_string(
            "notifications/digest.txt",
            {
                "user": user,
                "notifications": notifications,
                "site_url": settings.SITE_URL,
            },
        ).strip()
    subject, _, body = text.partition("\n")
    return subject.strip(), body.strip() + "\n"


LEASE = timedelta(minutes=10)


def _claim(queryset) -> list:
    """Take a lease on a batch of pending rows in a short transaction; ``skip_locked`` lets
    many workers share the outbox, and an expired lease (a worker died) is taken again."""
    now = timezone.now()
    with transaction.atomic():
        rows = list(
            queryset.filter(Q(claimed_at__isnull=True) | Q(claimed_at__lt=now - LEASE))
            .select_for_update(skip_locked=True, of=("self",))
            .select_related("recipient", "request", "alert")[:BATCH]
        )
        Notification.objects.filter(pk__in=[r.pk for r in rows]).update(claimed_at=now)
    return rows


def _deliver(queryset) -> int:
    """Send pending rows grouped by recipient, outside any transaction; rows stay pending
    (with the error) when SMTP fails, and are retried once their lease runs out."""
    sent = 0
    by_user: dict[int, list] = {}
    for row in _claim(queryset):
        by_user.setdefault(row.recipient_id, []).append(row)
    for items in by_user.values():
        user = items[0].recipient
        subject, body = _render(items, user)
        ids = [n.pk for n in items]
        try:
            EmailMessage(subject=subject, body=body, from_email=settings.DEFAULT_FROM_EMAIL, to=[user.email]).send()
        except Exception as exc:  # SMTP errors of every kind: keep the rows, retry later
            log.warning("notification mail to user %s failed: %s", user.pk, exc)
            Notification.objects.filter(pk__in=ids).update(
                attempts=items[0].attempts + 1, last_error=str(exc)[:300], claimed_at=None
            )
            continue
        Notification.objects.filter(pk__in=ids).update(sent_at=timezone.now(), attempts=items[0].attempts + 1)
        sent += len(ids)
    return sent


@task()
def deliver_notifications() -> int:
    """Mail pending notifications of users who chose immediate mail."""
    return _deliver(
        Notification.objects.filter(
            sent_at__isnull=True, attempts__lt=MAX_ATTEMPTS, recipient__notification_mode="immediate"
        ).order_by("created_at")
    )


@task()
def send_digests() -> int:
    """Once a day: one mail per digest user with everything of the last day."""
    return _deliver(
        Notification.objects.filter(
            sent_at__isnull=True,
            attempts__lt=MAX_ATTEMPTS,
            recipient__notification_mode="digest",
            created_at__lte=timezone.now() - timedelta(minutes=1),
        ).order_by("recipient_id", "created_at")
    )
