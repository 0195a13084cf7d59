"""The alert workflow through its services: the walk draft → broadcast → forward →
acknowledge → rectify → close, the completeness check, the forward race, withdrawal erasing
personal data, and an outsider who sees nothing."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from openimi.alerts.models import AlertDelivery, AlertRecipient, AlertState, AlertVersion
from openimi.alerts.permissions import available_actions
from openimi.alerts.services import AlertChanged, AlertData, alert_act, alert_create
from openimi.directory.permissions import Perm, has_perm
from openimi.notifications.models import Notification
from openimi.notifications.tasks import deliver_notifications
from openimi.tests.factories import AuthorityFactory, UserFactory, coordinator, member

DECIDED = datetime.date(2026, 12, 1)
FULL = {
    "subject_name": "Jean Dupont",
    "profession": "architect",
    "deciding_authority": "Conseil de l'ordre",
    "decision_date": DECIDED,
    "restriction_scope": "Prohibited from practising",
    "sanction_start_date": DECIDED,
}


@pytest.fixture
def people(db, fr_authority):
    sender = UserFactory(email="alain.alerts@architectes.example", language="fr")
    member(sender, fr_authority, "alert_handler")
    de_incoming = AuthorityFactory(country_id="DE", official_language_id="de", areas=["professional_qualifications"])
    coordinator(de_incoming, "alert_incoming")
    de_coord = UserFactory(email="ines.incoming@bmwk.example", language="de")
    member(de_coord, de_incoming, "local_admin")
    de_coord2 = UserFactory(email="ida.incoming@bmwk.example", language="de")
    member(de_coord2, de_incoming, "local_admin")
    de_recipient = AuthorityFactory(country_id="DE", official_language_id="de", areas=["professional_qualifications"])
    de_handler = UserFactory(email="hans.alerts@ak.example", language="de")
    member(de_handler, de_recipient, "alert_handler")
    return {
        "sender": sender,
        "fr": fr_authority,
        "de_coord": de_coord,
        "de_coord2": de_coord2,
        "de_recipient": de_recipient,
        "de_handler": de_handler,
    }


def _draft(people, **fields):
    data = AlertData(kind="pq_sanction", all_countries=False, countries=["DE"], fields=fields)
    return alert_create(actor=people["sender"], sender=people["fr"], data=data)


def test_completeness_check_names_each_missing_field(people):
    alert = _draft(people, subject_name="Jean Dupont")
    with pytest.raises(ValidationError) as caught:
        alert_act(actor=people["sender"], alert=alert, action="submit")
    assert set(caught.value.message_dict) == {
        "profession",
        "deciding_authority",
        "decision_date",
        "restriction_scope",
        "sanction_start_date",
    }
    assert caught.value.message_dict["profession"] == ["Profession: required before the alert is sent"]


def test_walk_broadcast_forward_acknowledge_rectify_close(people, outsider):
    alert = _draft(people, **FULL)
    alert = alert_act(actor=people["sender"], alert=alert, action="submit")
    assert alert.state == AlertState.BROADCAST  # no outgoing coordinator in FR: sent directly
    assert alert.reference.startswith("AL-FR-")
    assert list(AlertDelivery.objects.filter(alert=alert).values_list("country_id", flat=True)) == ["DE"]
    # One notification per incoming coordinator, none for the outsider.
    assert set(Notification.objects.filter(alert=alert).values_list("recipient__email", flat=True)) == {
        "ines.incoming@bmwk.example",
        "ida.incoming@bmwk.example",
    }
    assert not has_perm(outsider, Perm.ALERT_VIEW, alert)
    with pytest.raises(Http404):
        alert_act(actor=outsider, alert=alert.pk, action="close", version=alert.version)
    # The recipient does not see it before it is forwarded.
    assert not has_perm(people["de_handler"], Perm.ALERT_VIEW, alert)
    assert [t.name for t in available_actions(people["de_coord"], alert)] == ["forward"]

    alert = alert_act(
        actor=people["de_coord"], alert=alert, action="forward", payload={"authorities": [people["de_recipient"].pk]}
    )
    assert AlertRecipient.objects.filter(alert=alert, authority=people["de_recipient"]).exists()
    handler = people["de_handler"]
    assert [t.name for t in available_actions(handler, alert)] == ["acknowledge", "follow_up"]
    with pytest.raises(PermissionDenied):
        alert_act(actor=handler, alert=alert.pk, action="close", version=alert.version)

    alert = alert_act(actor=handler, alert=alert.pk, action="acknowledge", version=alert.version)
    assert AlertRecipient.objects.get(alert=alert).acknowledged_edition == 1

    alert = alert_act(
        actor=people["sender"],
        alert=alert,
        action="rectify",
        payload={"fields": {"restriction_scope": "Suspended for a year"}, "text": "Appeal decided"},
    )
    assert alert.edition == 2
    assert AlertVersion.objects.get(alert=alert).changes == {"restriction_scope": "Suspended for a year"}
    handler = UserFactory._meta.model.objects.get(pk=handler.pk)  # a fresh access context
    assert "acknowledge" in [t.name for t in available_actions(handler, alert)]
    alert = alert_act(actor=handler, alert=alert.pk, action="acknowledge", version=alert.version)
    assert AlertRecipient.objects.get(alert=alert).acknowledged_edition == 2

    alert = alert_act(actor=people["sender"], alert=alert.pk, action="close", version=alert.version)
    assert alert.state == AlertState.CLOSED
    assert list(alert.events.values_list("action", flat=True)) == [
        "created",
        "submit",
        "forward",
        "acknowledge",
        "rectify",
        "acknowledge",
        "close",
    ]


def test_of_two_coordinators_forwarding_at_once_exactly_one_wins(people):
    alert = alert_act(actor=people["sender"], alert=_draft(people, **FULL), action="submit")
    seen = alert.version
    alert_act(
        actor=people["de_coord"],
        alert=alert.pk,
        action="forward",
        version=seen,
        payload={"authorities": [people["de_recipient"].pk]},
    )
    with pytest.raises(AlertChanged):  # the version the second coordinator saw moved on
        alert_act(
            actor=people["de_coord2"],
            alert=alert.pk,
            action="forward",
            version=seen,
            payload={"authorities": [people["de_recipient"].pk]},
        )
    with pytest.raises(PermissionDenied):  # without a version: the delivery no longer waits
        alert_act(
            actor=people["de_coord2"],
            alert=alert.pk,
            action="forward",
            payload={"authorities": [people["de_recipient"].pk]},
        )
    assert AlertRecipient.objects.filter(alert=alert).count() == 1
    assert AlertDelivery.objects.get(alert=alert).forwarded_by == people["de_coord"]


def test_withdraw_erases_personal_data_at_once(people):
    alert = alert_act(actor=people["sender"], alert=_draft(people, **FULL, subject_identifiers="ID-1"), action="submit")
    with pytest.raises(ValidationError) as caught:
        alert_act(actor=people["sender"], alert=alert, action="withdraw")
    assert "text" in caught.value.message_dict
    alert = alert_act(actor=people["sender"], alert=alert, action="withdraw", payload={"text": "Sent in error"})
    alert.refresh_from_db()
    assert alert.state == AlertState.WITHDRAWN
    assert (alert.subject_name, alert.subject_identifiers, alert.subject_birth_date) == ("", "", None)
    assert alert.withdrawal_reason == "Sent in error"
    assert alert.profession == "architect"


def test_outgoing_coordinator_validates_before_broadcast(people, fr_coordinator_authority, fr_coordinator):
    coordinator(fr_coordinator_authority, "alert_outgoing")
    alert = alert_act(actor=people["sender"], alert=_draft(people, **FULL), action="submit")
    assert alert.state == AlertState.AWAITING_VALIDATION
    assert not AlertDelivery.objects.filter(alert=alert).exists()
    assert not has_perm(people["de_coord"], Perm.ALERT_VIEW, alert)
    assert [t.name for t in available_actions(fr_coordinator, alert)] == ["validate", "return"]
    alert = alert_act(actor=fr_coordinator, alert=alert, action="validate")
    assert alert.state == AlertState.BROADCAST
    assert AlertDelivery.objects.filter(alert=alert, country_id="DE").exists()


def test_the_coordinators_mail_names_the_alert_by_its_reference_and_carries_no_personal_data(people, mailbox):
    alert = alert_act(actor=people["sender"], alert=_draft(people, **FULL), action="submit")
    assert deliver_notifications.call() >= 1
    mails = mailbox.wait(2)
    assert sorted(m["To"] for m in mails) == sorted([people["de_coord"].email, people["de_coord2"].email])
    for mail in mails:
        assert alert.reference in mail["Subject"]
        assert "Jean Dupont" not in mail.get_content()
