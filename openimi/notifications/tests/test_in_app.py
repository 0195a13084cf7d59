from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import npgettext

from openimi.notifications.models import Notification
from openimi.notifications.services import notify


def test_users_see_only_their_own_notifications_and_can_mark_them_read(client_for, fr_handler, de_handler):
    notify(recipients=[fr_handler], kind="reminder")
    notify(recipients=[de_handler], kind="overdue")
    client = client_for(fr_handler)
    page = client.get(reverse("notifications:list")).content.decode()
    with translation.override(fr_handler.language):
        mine = str(Notification.objects.get(recipient=fr_handler).get_kind_display())
        theirs = str(Notification.objects.get(recipient=de_handler).get_kind_display())
        badge = f'1<span class="govuk-visually-hidden"> {npgettext("notifications", "new", "new", 1)}</span>'
    assert mine in page and theirs not in page
    assert badge in page
    client.post(reverse("notifications:read"))
    assert Notification.objects.get(recipient=fr_handler).read_at is not None
    assert Notification.objects.get(recipient=de_handler).read_at is None


def test_choosing_the_daily_digest(client_for, fr_handler):
    client = client_for(fr_handler)
    client.post(reverse("notifications:mode"), {"notification_mode": "digest"})
    fr_handler.refresh_from_db()
    assert fr_handler.notification_mode == "digest"
    client.post(reverse("notifications:mode"), {"notification_mode": "hourly"})
    fr_handler.refresh_from_db()
    assert fr_handler.notification_mode == "digest"


def test_plain_text_mails_are_not_html_escaped():
    """Mails are plain text: an authority called "A & B <Lyon>" keeps its name as written."""
    text = render_to_string(
        "notifications/authority_validated.txt", {"authority": "Ordre A & B <Lyon>", "url": "https://x.example/"}
    )
    assert "Ordre A & B <Lyon>" in text and "&amp;" not in text and "&lt;" not in text
