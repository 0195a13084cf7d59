"""Queue mails in the recipient's language, only once the surrounding transaction commits,
and write notifications to the outbox."""

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from openimi.notifications.models import Notification
from openimi.notifications.tasks import deliver_notifications, mail_render, send_email


def mail_queue(*, to: str, language: str, template: str, context: dict) -> None:
    """Render ``notifications/<template>.txt`` (first line: subject) in ``language`` and
    enqueue it after commit, so a rolled-back change never sends mail. The rendered mail is
    stored with the queued task: ``context`` must hold no secret (see accounts.tasks)."""

    def render_and_enqueue() -> None:
        subject, body = mail_render(template=template, context=context, language=language)
        send_email.enqueue(to=[to], subject=subject, body=body)

    transaction.on_commit(render_and_enqueue)


def notify(*, recipients, kind: str, request=None) -> int:
    """Write one outbox row per recipient (inside the caller's transaction) and wake the
    worker after commit. Returns how many rows were written."""
    rows = [Notification(recipient=user, kind=kind, request=request) for user in {u.pk: u for u in recipients}.values()]
    Notification.objects.bulk_create(rows)
    if rows:
        transaction.on_commit(lambda: deliver_notifications.enqueue())
    return len(rows)


def notifications_mark_read(*, actor) -> int:
    """Mark all of the actor's notifications as read (only the actor's own)."""
    return Notification.objects.filter(recipient=actor, read_at__isnull=True).update(read_at=timezone.now())


def notification_mode_set(*, actor, mode: str) -> None:
    if mode not in ("immediate", "digest"):
        raise ValidationError({"notification_mode": _("Choose one of the proposed options.")})
    # get_user_model(): notifications sit below accounts in the layers (docs/architecture.md).
    get_user_model().objects.filter(pk=actor.pk).update(notification_mode=mode)
    actor.notification_mode = mode
