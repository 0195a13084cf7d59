"""Uploading is the "attach" action of the workflow table: refused by role and state like any
other action, under the request row's lock; its file is on disk only while a committed row
points to it; its timeline event names no file; zip archives that would expand too far are
refused."""

import datetime
import importlib
import io
import os
import time
import zipfile
from pathlib import Path

import pytest
from django.apps import apps
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from openimi.directory.members import token_issue
from openimi.exchanges import services
from openimi.exchanges.attachments import check_upload
from openimi.exchanges.models import Attachment, RequestEvent, State
from openimi.exchanges.permissions import available_actions
from openimi.exchanges.services import attachment_add, request_act, request_create
from openimi.exchanges.tasks import remove_orphan_files
from openimi.exchanges.tests.test_workflow import draft_data
from openimi.privacy.retention import delete_due
from openimi.tests.factories import UserFactory, member

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def sent(fr_handler, fr_authority, de_authority, de_handler):
    r = request_create(actor=fr_handler, requester=fr_authority, data=draft_data(de_authority))
    return request_act(actor=fr_handler, request=r, action="submit")


def stored_files(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file()]


def txt(name="Jean Dupont diploma.txt"):
    return SimpleUploadedFile(name, b"plain text", content_type="text/plain")


@pytest.mark.parametrize("role", ["observer", "alert_handler"])
def test_observers_and_alert_handlers_cannot_upload_by_service_api_or_page(client_for, sent, de_authority, role):
    reader = UserFactory()
    member(reader, de_authority, role)
    assert "attach" not in {a.name for a in available_actions(reader, sent)}
    with pytest.raises(PermissionDenied):
        attachment_add(actor=reader, request=sent, upload=txt())
    _token, raw = token_issue(actor=reader, authority=de_authority, name="t")
    api = Client(HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert api.get(f"/api/v1/requests/{sent.pk}").json()["can_attach"] is False
    assert api.post(f"/api/v1/requests/{sent.pk}/attachments", {"file": txt()}).status_code == 403
    client = client_for(reader)
    page = client.get(reverse("exchanges:detail", args=[sent.pk])).content.decode()
    assert f'action="{reverse("exchanges:upload", args=[sent.pk])}"' not in page
    client.post(reverse("exchanges:upload", args=[sent.pk]), {"file": txt()})
    assert not sent.attachments.exists()


def test_handlers_and_allocators_upload_and_the_page_shows_one_upload_form(client_for, sent, de_authority):
    allocator = UserFactory()
    member(allocator, de_authority, "request_allocator")
    attachment_add(actor=allocator, request=sent, upload=txt())
    page = client_for(allocator).get(reverse("exchanges:detail", args=[sent.pk])).content.decode()
    assert page.count(f'action="{reverse("exchanges:upload", args=[sent.pk])}"') == 1
    assert 'value="attach"' not in page  # no second, plain "attach" action button
    _token, raw = token_issue(actor=allocator, authority=de_authority, name="t")
    api = Client(HTTP_AUTHORIZATION=f"Bearer {raw}")
    body = api.get(f"/api/v1/requests/{sent.pk}").json()
    assert body["can_attach"] is True and "attach" not in body["available_actions"]
    refused = api.post(f"/api/v1/requests/{sent.pk}/actions/attach", {}, content_type="application/json")
    assert refused.status_code == 422 and refused.json()["errors"][0]["field"] == "action"


def test_upload_is_refused_while_awaiting_approval_and_after_withdrawal(sent, fr_handler, de_handler):
    sent.state = State.AWAITING_APPROVAL
    with pytest.raises(PermissionDenied):
        attachment_add(actor=fr_handler, request=sent, upload=txt())
    sent.state = State.SENT
    request_act(actor=fr_handler, request=sent, action="withdraw")
    # The caller still holds the request as it was before the withdrawal: the service
    # re-reads it under the lock.
    with pytest.raises(ValidationError) as refused:
        attachment_add(actor=de_handler, request=sent, upload=txt())
    assert "state" in refused.value.message_dict
    assert not Attachment.objects.exists()


def test_the_upload_event_names_the_attachment_not_the_file_and_nothing_remains_after_retention(
    sent, fr_handler, de_handler, media_root
):
    attachment = attachment_add(actor=fr_handler, request=sent, upload=txt())
    event = RequestEvent.objects.get(action="attachment_added")
    assert event.data == {"attachment": attachment.pk}
    request_act(actor=fr_handler, request=sent, action="withdraw")
    delete_due(now=timezone.now() + datetime.timedelta(days=4 * 365))
    assert not Attachment.objects.exists() and not stored_files(media_root)
    assert not any("Dupont" in str(e.data) for e in RequestEvent.objects.all())


def test_a_rolled_back_upload_leaves_no_file(sent, fr_handler, media_root, monkeypatch):
    def fail(*args, **kwargs):
        raise RuntimeError("database gone")

    monkeypatch.setattr(services, "request_event_record", fail)
    with pytest.raises(RuntimeError):
        attachment_add(actor=fr_handler, request=sent, upload=txt())
    assert not Attachment.objects.exists()
    assert stored_files(media_root) == []


def test_cleanup_removes_old_orphan_files_only(sent, fr_handler, media_root):
    kept = attachment_add(actor=fr_handler, request=sent, upload=txt())
    folder = Path(kept.file.path).parent
    old_orphan, young_orphan = folder / "old.txt", folder / "young.txt"
    old_orphan.write_bytes(b"left by a rollback")
    young_orphan.write_bytes(b"an upload still in its transaction")
    two_hours_ago = time.time() - 7200
    for path in (old_orphan, Path(kept.file.path)):
        os.utime(path, (two_hours_ago, two_hours_ago))
    assert remove_orphan_files() == 1
    assert sorted(p.name for p in stored_files(media_root)) == sorted([Path(kept.file.name).name, "young.txt"])
    os.utime(young_orphan, (two_hours_ago, two_hours_ago))
    out = io.StringIO()
    call_command("attachments_cleanup", stdout=out)
    assert "1 orphan" in out.getvalue()
    assert [p.name for p in stored_files(media_root)] == [Path(kept.file.name).name]


def test_the_data_migration_replaces_file_names_by_attachment_ids(sent, fr_handler):
    attachment = attachment_add(actor=fr_handler, request=sent, upload=txt())
    event = RequestEvent.objects.get(action="attachment_added")
    RequestEvent.objects.filter(pk=event.pk).update(data={"name": attachment.original_name})
    gone = RequestEvent.objects.create(
        request=sent, actor=fr_handler, action="attachment_added", data={"name": "Jean Dupont deleted.pdf"}
    )
    migration = importlib.import_module("openimi.exchanges.migrations.0003_attachment_events_without_names")
    migration.names_to_ids(apps, None)
    event.refresh_from_db()
    gone.refresh_from_db()
    assert event.data == {"attachment": attachment.pk}
    assert gone.data == {}


# -- archive bombs -------------------------------------------------------------------------


def docx(entries: dict[str, bytes] | None = None, *, zeros: int = 0) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", b"<Types/>")
        archive.writestr("word/document.xml", b"<w:document/>")
        for name, content in (entries or {}).items():
            archive.writestr(name, content)
        if zeros:
            with archive.open("word/media/zeros.bin", "w", force_zip64=True) as out:
                chunk = b"\0" * (1024 * 1024)
                for _ in range(zeros // len(chunk)):
                    out.write(chunk)
    return SimpleUploadedFile("report.docx", buffer.getvalue(), content_type=DOCX)


def refusal(upload) -> str:
    with pytest.raises(ValidationError) as refused:
        check_upload(upload)
    return " ".join(refused.value.message_dict["file"])


def test_a_small_docx_expanding_to_200_mb_is_refused(settings):
    bomb = docx(zeros=200 * 1024 * 1024)
    assert bomb.size < 1024 * 1024
    assert "too large once unpacked (more than 100.0\xa0MB)" in refusal(bomb)


def test_archive_limits_come_from_settings(settings):
    settings.ATTACHMENT_MAX_EXPANDED_BYTES = 10_000
    assert "too large once unpacked" in refusal(docx({"word/big.xml": b"a" * 20_000}))
    settings.ATTACHMENT_MAX_EXPANDED_BYTES = 10**8
    settings.ATTACHMENT_MAX_ARCHIVE_ENTRIES = 10
    assert "too many files (more than 10)" in refusal(docx({f"word/{i}.xml": b"x" for i in range(10)}))


def test_one_level_of_embedded_documents_is_accepted_but_not_two():
    inner = docx().read()
    assert check_upload(docx({"word/embeddings/sheet.xlsx": inner})).content_type == DOCX
    twice = docx({"word/embeddings/outer.docx": docx({"word/embeddings/sheet.xlsx": inner}).read()})
    assert "archives inside archives" in refusal(twice)
    assert "archives inside archives" in refusal(docx({"word/media/data.tar.gz": b"\x1f\x8b"}))


def test_a_damaged_zip_is_refused():
    whole = docx({"word/more.xml": b"content " * 100}).read()
    assert "damaged" in refusal(SimpleUploadedFile("report.docx", whole[: len(whole) // 2]))


def test_the_embedded_archives_count_against_the_same_limits(settings):
    settings.ATTACHMENT_MAX_EXPANDED_BYTES = 50_000
    inner = docx({"word/big.xml": b"a" * 40_000}).read()
    both = docx({"word/embeddings/a.docx": inner, "word/embeddings/b.docx": inner})
    assert "too large once unpacked" in refusal(both)
