"""A suspended authority takes no part in the exchanges: its members' old sessions, fresh
sign-ins and API tokens reach none of its requests, and it receives no new notifications. An
authority still registering keeps what completing its entry needs, nothing more."""

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from openimi.accounts.models import User
from openimi.directory import services
from openimi.directory.members import token_issue
from openimi.directory.models import AuthorityStatus
from openimi.directory.permissions import roles_of
from openimi.directory.services import AuthorityData
from openimi.exchanges.models import Message
from openimi.exchanges.services import attachment_add, request_act, request_create
from openimi.exchanges.tests.test_workflow import draft_data
from openimi.notifications.models import Notification
from openimi.privacy.services import subject_request_create
from openimi.tests.factories import AuthorityFactory, UserFactory, member


@pytest.fixture
def accepted(fr_handler, fr_authority, de_authority, de_handler):
    r = request_create(actor=fr_handler, requester=fr_authority, data=draft_data(de_authority))
    r = request_act(actor=fr_handler, request=r, action="submit")
    r = request_act(actor=de_handler, request=r, action="accept")
    attachment_add(actor=de_handler, request=r, upload=SimpleUploadedFile("a.txt", b"evidence"))
    return r


def suspend(de_coordinator, de_authority):
    services.authority_suspend(actor=de_coordinator, authority=de_authority, reason="Merged into another body")


def refused_everywhere(client, r, attachment):
    assert client.get(reverse("exchanges:detail", args=[r.pk])).status_code == 404
    assert client.get(reverse("exchanges:download", args=[r.pk, attachment.pk])).status_code == 404
    for name, data in (("act", {"action": "note", "text": "still here"}), ("answer", {})):
        assert client.post(reverse(f"exchanges:{name}", args=[r.pk]), data).status_code == 404
    upload = {"file": SimpleUploadedFile("b.txt", b"more evidence")}
    assert client.post(reverse("exchanges:upload", args=[r.pk]), upload).status_code == 404
    for box in ("inbox", "outbox"):
        page = client.get(reverse(f"exchanges:{box}"))
        assert page.status_code == 200 and "Jean Dupont" not in page.content.decode()
        assert r.reference not in page.content.decode()


def test_old_session_and_fresh_sign_in_of_a_suspended_authority_reach_no_request(
    client_for, accepted, de_handler, de_authority, de_coordinator
):
    old_session = client_for(de_handler)
    assert old_session.get(reverse("exchanges:detail", args=[accepted.pk])).status_code == 200
    suspend(de_coordinator, de_authority)
    attachment = accepted.attachments.get()
    refused_everywhere(old_session, accepted, attachment)
    refused_everywhere(client_for(de_handler), accepted, attachment)
    assert not Message.objects.filter(text="still here").exists()
    assert accepted.attachments.count() == 1


def test_a_suspended_authority_s_token_and_services_refuse(accepted, de_handler, de_authority, de_coordinator):
    _token, raw = token_issue(actor=de_handler, authority=de_authority, name="back office")
    api = Client(HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert api.get(f"/api/v1/requests/{accepted.pk}").status_code == 200
    suspend(de_coordinator, de_authority)
    de_handler = User.objects.get(pk=de_handler.pk)  # as in a new request: no roles cached
    assert roles_of(de_handler) == {}
    assert api.get(f"/api/v1/requests/{accepted.pk}").status_code == 401
    with pytest.raises(PermissionDenied):
        request_act(actor=de_handler, request=accepted, action="note", text="still here")
    with pytest.raises(PermissionDenied):
        attachment_add(actor=de_handler, request=accepted, upload=SimpleUploadedFile("b.txt", b"more"))
    with pytest.raises(PermissionDenied):
        token_issue(actor=de_handler, authority=de_authority, name="another")


def test_a_suspended_authority_s_people_get_no_new_notifications(
    accepted, fr_handler, de_handler, de_authority, de_coordinator
):
    allocator = UserFactory()
    member(allocator, de_authority, "request_allocator")
    suspend(de_coordinator, de_authority)
    before = Notification.objects.count()
    request_act(actor=fr_handler, request=accepted, action="withdraw")
    assert Notification.objects.count() == before
    assert not Notification.objects.filter(recipient__in=[de_handler, allocator], kind="withdrawn").exists()


def test_a_suspended_authority_s_administrator_handles_no_data_subject_request(
    client_for, de_admin, de_authority, de_coordinator
):
    subject_request = subject_request_create(actor=de_admin, authority=de_authority, kind="access", person_name="Jan")
    suspend(de_coordinator, de_authority)
    client = client_for(de_admin)
    assert client.get(reverse("privacy:subject_request", args=[subject_request.pk])).status_code == 404
    assert "Jan" not in client.get(reverse("privacy:subject_requests")).content.decode()


def test_a_registering_authority_s_administrator_completes_the_entry_but_does_not_exchange(fr_authority):
    pending = AuthorityFactory(country_id="FR", status=AuthorityStatus.PENDING, areas=["professional_qualifications"])
    admin = UserFactory()
    member(admin, pending, "local_admin", "request_handler")
    assert roles_of(admin) == {pending.pk: {("local_admin", None)}}
    data = AuthorityData.from_authority(pending)
    data.city = "Nantes"
    services.authority_update(actor=admin, authority=pending, data=data)
    pending.refresh_from_db()
    assert pending.city == "Nantes"
    with pytest.raises(PermissionDenied):
        request_create(actor=admin, requester=pending, data=draft_data(fr_authority))
