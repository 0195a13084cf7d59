"""Deadlines, reminders, escalation, and delivery of notifications over real SMTP."""

import datetime
from pathlib import Path

import pytest
from django.utils import timezone

from openimi.exchanges.models import InformationRequest
from openimi.exchanges.permissions import can_view
from openimi.exchanges.services import request_act, request_create
from openimi.exchanges.tasks import escalate, mark_overdue
from openimi.exchanges.tests.test_workflow import draft_data
from openimi.notifications.models import Notification
from openimi.notifications.tasks import _deliver, deliver_notifications, send_digests
from openimi.privacy.models import AuditEntry
from openimi.tests.factories import UserFactory, coordinator, member


@pytest.fixture
def sent(fr_handler, fr_authority, de_authority, de_handler):
    r = request_create(actor=fr_handler, requester=fr_authority, data=draft_data(de_authority))
    return request_act(actor=fr_handler, request=r, action="submit")


def test_unaccepted_request_becomes_overdue_once(sent, de_handler):
    later = timezone.now() + datetime.timedelta(days=8)
    assert mark_overdue(later) == 1
    assert mark_overdue(later) == 0  # idempotent
    sent.refresh_from_db()
    assert sent.is_overdue
    assert Notification.objects.filter(recipient=de_handler, kind="overdue").count() == 1
    assert sent.events.filter(action="overdue").count() == 1


def test_nothing_is_overdue_before_the_deadline(sent):
    assert mark_overdue(timezone.now() + datetime.timedelta(days=6)) == 0


def test_escalation_reaches_the_responders_coordinator_after_the_delay(sent, de_authority):
    national = de_authority.__class__.objects.create(
        official_name="Bundesministerium", official_language_id="de", country_id="DE", status="active"
    )
    coordinator(national, "national")
    boss = UserFactory()
    member(boss, national, "local_admin")
    mark_overdue(timezone.now() + datetime.timedelta(days=8))
    assert escalate(timezone.now() + datetime.timedelta(days=10)) == 0  # 7 + 7 days not yet reached
    assert escalate(timezone.now() + datetime.timedelta(days=15)) == 1
    assert escalate(timezone.now() + datetime.timedelta(days=16)) == 0
    assert Notification.objects.filter(recipient=boss, kind="escalated").exists()
    sent.refresh_from_db()
    assert can_view(boss, sent)  # involved now


def test_accepting_clears_the_overdue_flag(sent, de_handler):
    mark_overdue(timezone.now() + datetime.timedelta(days=8))
    sent.refresh_from_db()
    request = request_act(actor=de_handler, request=sent, action="accept")
    assert not request.is_overdue


def test_notifications_are_mailed_in_the_recipients_language(sent, de_handler, mailbox):
    assert deliver_notifications.call() >= 1
    mail = mailbox.wait(1)[0]
    assert mail["To"] == de_handler.email
    assert sent.reference in mail["Subject"]
    assert "Ersuchen" in mail["Subject"] or "Anfrage" in mail["Subject"] or "erhalten" in mail["Subject"]
    assert "Jean Dupont" not in mail.get_content()  # no personal data in mail
    assert not Notification.objects.filter(recipient=de_handler, sent_at__isnull=True).exists()


def test_digest_users_get_one_mail_a_day(sent, de_handler, mailbox):
    de_handler.notification_mode = "digest"
    de_handler.save()
    assert deliver_notifications.call() == 0
    Notification.objects.update(created_at=timezone.now() - datetime.timedelta(hours=1))
    assert send_digests.call() == 1
    assert len(mailbox.wait(1)) == 1


def test_smtp_failure_keeps_the_notification_for_a_retry(sent, de_handler, settings):
    settings.EMAIL_PORT = 1  # nothing listens there
    assert _deliver(Notification.objects.filter(sent_at__isnull=True)) == 0
    row = Notification.objects.get(recipient=de_handler)
    assert row.sent_at is None and row.attempts == 1 and row.last_error


def test_a_rolled_back_action_leaves_no_notification(sent, de_handler):
    before = Notification.objects.count()
    with pytest.raises(Exception):  # noqa: B017 - any validation error
        request_act(actor=de_handler, request=sent, action="answer", answers={"nope": "yes"})
    assert Notification.objects.count() == before
    assert InformationRequest.objects.get(pk=sent.pk).state == "sent"


def test_deadline_events_are_audited_and_move_the_version_on(sent, de_authority):
    national = de_authority.__class__.objects.create(
        official_name="Bundesministerium", official_language_id="de", country_id="DE", status="active"
    )
    coordinator(national, "national")
    version = sent.version
    mark_overdue(timezone.now() + datetime.timedelta(days=8))
    escalate(timezone.now() + datetime.timedelta(days=15))
    sent.refresh_from_db()
    assert sent.version == version + 2  # a page opened before either change must reload
    audited = AuditEntry.objects.filter(object_id=str(sent.pk)).values_list("action", flat=True)
    assert list(audited)[-2:] == ["request.overdue", "request.escalated"]


def test_only_the_exchanges_services_write_timeline_events():
    """Every event goes through the workflow core or request_event_record, which also audits."""
    root = Path(__file__).resolve().parents[2]
    writers = [
        str(path.relative_to(root))
        for path in root.rglob("*.py")
        if "tests" not in path.parts
        and "migrations" not in path.parts
        and "RequestEvent.objects.create" in path.read_text()
    ]
    assert writers == ["exchanges/services.py"]
