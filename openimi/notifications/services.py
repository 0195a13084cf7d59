"""Queue mails in the recipient's language, only once the surrounding transaction commits,
and write notifications to the outbox."""

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import QuerySet
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


def notify(*, recipients, kind: str, request=None, alert=None) -> int:
    """Write one outbox row per recipient (inside the caller's transaction) and wake the
    worker after commit. Returns how many rows were written. ``recipients`` is a list of
    users or a queryset of them (then written by one INSERT … SELECT, no user is read).
    ``request`` or ``alert`` is what the notification is about."""
    if isinstance(recipients, QuerySet):
        written = _notify_selected(recipients, kind, request, alert)
    else:
        rows = [
            Notification(recipient=u, kind=kind, request=request, alert=alert)
            for u in {u.pk: u for u in recipients}.values()
        ]
        Notification.objects.bulk_create(rows)
        written = len(rows)
    if written:
        transaction.on_commit(lambda: deliver_notifications.enqueue())
    return written


def _notify_selected(recipients: QuerySet, kind: str, request, alert=None) -> int:
    """One outbox row per distinct user of ``recipients``, in one statement: every action
    notifies, so reading the users first would cost each action a query."""
    if recipients.query.is_empty():
        return 0
    select, params = recipients.order_by().values_list("pk", flat=True).query.sql_with_params()
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    table = connection.ops.quote_name(Notification._meta.db_table)
    # The table is ours and the SELECT is Django's compiled queryset; every value is a parameter.
    sql = (
        f"INSERT INTO {table} (recipient_id, kind, request_id, alert_id, created_at, attempts, last_error) "  # noqa: S608
        f"SELECT DISTINCT picked.pk, %s, CAST(%s AS BIGINT), CAST(%s AS BIGINT), %s, 0, '' FROM ({select}) picked"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [kind, getattr(request, "pk", None), getattr(alert, "pk", None), now, *params])
        return max(cursor.rowcount, 0)


def notifications_mark_read(*, actor) -> int:
    """Mark all of the actor's notifications as read (only the actor's own)."""
    return Notification.objects.filter(recipient=actor, read_at__isnull=True).update(read_at=timezone.now())


def notification_mode_set(*, actor, mode: str) -> None:
    if mode not in ("immediate", "digest"):
        raise ValidationError({"notification_mode": _("Choose one of the proposed options.")})
    # get_user_model(): notifications sit below accounts in the layers (docs/architecture.md).
    get_user_model().objects.filter(pk=actor.pk).update(notification_mode=mode)
    actor.notification_mode = mode
