"""Retention: blocked 6 months after closure (per legal area, at most 18), deleted after 3
years, attachments included; hidden from pages and API once blocked; idempotent."""

import datetime

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from openimi.core.models import LegalArea
from openimi.directory.members import token_issue
from openimi.exchanges.models import Answer, InformationRequest
from openimi.exchanges.services import attachment_add, request_act, request_create
from openimi.exchanges.tests.test_workflow import ANSWERS, draft_data
from openimi.privacy.retention import apply_retention


@pytest.fixture
def closed(fr_handler, fr_authority, de_authority, de_handler):
    r = request_create(actor=fr_handler, requester=fr_authority, data=draft_data(de_authority))
    r = request_act(actor=fr_handler, request=r, action="submit")
    r = request_act(actor=de_handler, request=r, action="accept")
    attachment_add(actor=de_handler, request=r, upload=SimpleUploadedFile("a.pdf", b"%PDF-1.4 x"))
    r = request_act(actor=de_handler, request=r, action="answer", answers=ANSWERS, text="Echt.")
    return request_act(actor=fr_handler, request=r, action="accept_answer")


def later(**kwargs):
    return timezone.now() + datetime.timedelta(**kwargs)


def test_nothing_happens_before_the_period(closed):
    assert apply_retention(later(days=150)) == {"blocked": 0, "deleted": 0}


def test_blocked_after_six_months_and_hidden_from_pages_and_api(closed, client_for, fr_handler, fr_authority):
    assert apply_retention(later(days=190)) == {"blocked": 1, "deleted": 0}
    assert apply_retention(later(days=191)) == {"blocked": 0, "deleted": 0}  # idempotent
    closed.refresh_from_db()
    assert closed.subject_name == "Jean Dupont"  # still stored, only blocked
    page = client_for(fr_handler).get(reverse("exchanges:detail", args=[closed.pk])).content.decode()
    assert "Jean Dupont" not in page and "ARCH-75-1234" not in page and "Echt." not in page
    attachment = closed.attachments.get()
    assert client_for(fr_handler).get(reverse("exchanges:download", args=[closed.pk, attachment.pk])).status_code == 404
    _t, raw = token_issue(actor=fr_handler, authority=fr_authority, name="x")
    body = Client(HTTP_AUTHORIZATION=f"Bearer {raw}").get(f"/api/v1/requests/{closed.pk}").json()
    assert body["subject"] is None and body["personal_data_blocked"] is True
    assert all(q["answer"] is None for q in body["questions"]) and body["attachments"] == []
    assert "Jean Dupont" not in str(body)


def test_a_longer_period_per_legal_area(closed):
    LegalArea.objects.filter(code="professional_qualifications").update(retention_block_months=12)
    assert apply_retention(later(days=190))["blocked"] == 0
    assert apply_retention(later(days=370))["blocked"] == 1


def test_the_period_cannot_exceed_18_months(db):
    with pytest.raises(IntegrityError), transaction.atomic():
        LegalArea.objects.filter(code="services").update(retention_block_months=19)


def test_deleted_after_three_years_attachments_included(closed):
    storage_name = closed.attachments.get().file.name
    assert default_storage.exists(storage_name)
    assert apply_retention(later(days=3 * 365 + 2)) == {"blocked": 1, "deleted": 1}
    closed.refresh_from_db()
    assert closed.subject_name == "" and closed.subject_identifiers == "" and closed.free_text == ""
    assert closed.personal_data_deleted_at is not None
    assert not Answer.objects.filter(request=closed).exists() and not closed.attachments.exists()
    assert not default_storage.exists(storage_name)
    assert all(m.text == "" for m in closed.messages.all())
    assert apply_retention(later(days=3 * 365 + 3)) == {"blocked": 0, "deleted": 0}
    assert InformationRequest.objects.get(pk=closed.pk).reference  # the exchange itself remains, for statistics


def test_open_requests_are_never_touched(fr_handler, fr_authority, de_authority):
    r = request_create(actor=fr_handler, requester=fr_authority, data=draft_data(de_authority))
    request_act(actor=fr_handler, request=r, action="submit")
    assert apply_retention(later(days=5 * 365)) == {"blocked": 0, "deleted": 0}
