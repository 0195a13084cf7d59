"""Attachments are scanned by a real clamd (Debian's clamav-daemon) that loads only the EICAR
signatures shipped in clamav/: a file carrying a virus is refused on every channel, nothing is
stored, and the refusal is audited; when the scanner does not answer, uploads are refused too."""

import runpy
import socket

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape
from django.utils.translation import gettext

import openimi.settings
from openimi.exchanges.models import Attachment
from openimi.exchanges.scanning import ClamdScanner, NoScanner, ScannerUnavailable, configured_scanner
from openimi.exchanges.services import attachment_add, request_act, request_create
from openimi.exchanges.tests.test_api import api
from openimi.exchanges.tests.test_workflow import draft_data
from openimi.privacy.models import AuditEntry

# The standard EICAR test file, in pieces so that no scanner flags this source file itself.
EICAR = b"X5O!P%@AP[4\\PZX54(P^)7CC)7}$" + b"EICAR-STANDARD-ANTIVIRUS-" + b"TEST-FILE!$H+H*"
SIGNATURE = "OpenIMI.Test.EICAR.UNOFFICIAL"  # clamd marks signatures it did not ship "UNOFFICIAL"
VIRUS_FOUND = f"A virus was found in this file ({SIGNATURE}). It has not been stored."
TRY_LATER = "This file cannot be checked for viruses now. Try again later."


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def sent(fr_handler, fr_authority, de_authority, de_handler):
    r = request_create(actor=fr_handler, requester=fr_authority, data=draft_data(de_authority))
    return request_act(actor=fr_handler, request=r, action="submit")


@pytest.fixture
def scanner_down(settings):
    """A configured scanner that nobody answers at: its socket does not exist."""
    settings.VIRUS_SCANNER = {
        "class": "openimi.exchanges.scanning.ClamdScanner",
        "address": "unix:///nonexistent/clamd.sock",
        "timeout": 2,
    }


def said(user, message: str, **params) -> str:
    """``message`` as the API tells it to ``user``: in their language."""
    with translation.override(user.language):
        return gettext(message) % params


def on_page(user, message: str, **params) -> str:
    """``message`` as a page shows it to ``user``: in their language, HTML-escaped."""
    return escape(said(user, message, **params))


def eicar_txt() -> SimpleUploadedFile:
    return SimpleUploadedFile("invoice.txt", EICAR, content_type="text/plain")


def stored_files(media) -> list:
    return [p for p in media.rglob("*") if p.is_file()] if media.exists() else []


def refusals(request) -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(action="attachment_refused_infected", object_id=str(request.pk)))


@pytest.mark.parametrize("transport", ["unix", "tcp"])
def test_clamd_finds_eicar_and_passes_clean_files(clamd_addresses, transport):
    scanner = ClamdScanner(clamd_addresses[transport], timeout=10)
    assert scanner.ping()
    for infected in (EICAR, EICAR + b"\n", b"Some text before it.\n" + EICAR):
        result = scanner.scan(infected)
        assert result.infected and result.signature == SIGNATURE
    clean = scanner.scan(b"Diploma of architecture, 2004.\n" * 10_000)  # several INSTREAM chunks
    assert not clean.infected and clean.signature == ""


def test_infected_file_is_refused_by_the_service_stored_nowhere_and_audited(clamav, media, sent, fr_handler):
    with pytest.raises(ValidationError) as refused:
        attachment_add(actor=fr_handler, request=sent, upload=eicar_txt())
    assert refused.value.message_dict == {"file": [VIRUS_FOUND]}
    assert not Attachment.objects.exists()
    assert stored_files(media) == []
    (entry,) = refusals(sent)
    assert entry.actor_id == fr_handler.pk and entry.authority_id == sent.requester_id
    assert entry.object_type == "exchanges.InformationRequest"
    assert entry.data == {"signature": SIGNATURE, "size": len(EICAR)}
    assert not sent.events.filter(action="attachment_added").exists()


def test_infected_file_is_refused_through_the_api(clamav, media, sent, fr_handler, fr_authority):
    response = api(fr_handler, fr_authority).post(f"/api/v1/requests/{sent.pk}/attachments", {"file": eicar_txt()})
    assert response.status_code == 422
    found = "A virus was found in this file (%(signature)s). It has not been stored."
    message = said(fr_handler, found, signature=SIGNATURE)
    assert response.json() == {"errors": [{"field": "file", "message": message}]}
    assert not Attachment.objects.exists() and stored_files(media) == []
    assert len(refusals(sent)) == 1


def test_infected_file_is_refused_on_the_page(clamav, media, client_for, sent, de_handler):
    response = client_for(de_handler).post(
        reverse("exchanges:upload", args=[sent.pk]), {"file": eicar_txt()}, follow=True
    )
    assert response.status_code == 200
    message = "A virus was found in this file (%(signature)s). It has not been stored."
    assert on_page(de_handler, message, signature=SIGNATURE) in response.content.decode()
    assert not Attachment.objects.exists() and stored_files(media) == []
    (entry,) = refusals(sent)
    assert entry.actor_id == de_handler.pk and entry.authority_id == sent.responder_id


def test_clean_file_is_scanned_and_stored(clamav, media, client_for, sent, fr_handler):
    note = SimpleUploadedFile("note.txt", b"The diploma was issued in 2004.\n", content_type="text/plain")
    response = client_for(fr_handler).post(reverse("exchanges:upload", args=[sent.pk]), {"file": note}, follow=True)
    assert on_page(fr_handler, "%(name)s has been attached.", name="note.txt") in response.content.decode()
    attachment = Attachment.objects.get()
    assert stored_files(media) == [media / attachment.file.name]
    assert refusals(sent) == []


def test_unreachable_scanner_refuses_uploads_until_it_answers(scanner_down, media, sent, fr_handler, client_for):
    upload = SimpleUploadedFile("note.txt", b"plain text", content_type="text/plain")
    with pytest.raises(ValidationError) as refused:
        attachment_add(actor=fr_handler, request=sent, upload=upload)
    assert refused.value.message_dict == {"file": [TRY_LATER]}

    page = client_for(fr_handler).post(
        reverse("exchanges:upload", args=[sent.pk]),
        {"file": SimpleUploadedFile("note.txt", b"plain text")},
        follow=True,
    )
    assert page.status_code == 200 and on_page(fr_handler, TRY_LATER) in page.content.decode()

    response = api(fr_handler, sent.requester).post(
        f"/api/v1/requests/{sent.pk}/attachments", {"file": SimpleUploadedFile("note.txt", b"plain text")}
    )
    assert response.status_code == 503 and response["Retry-After"] == "60"
    assert response.json() == {"errors": [{"field": "file", "message": said(fr_handler, TRY_LATER)}]}
    assert not Attachment.objects.exists() and stored_files(media) == [] and refusals(sent) == []


def test_scanner_refused_or_silent_is_unavailable_within_its_timeout():
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    with pytest.raises(ScannerUnavailable):
        ClamdScanner(f"tcp://127.0.0.1:{port}", timeout=1).scan(b"x")
    with socket.socket() as silent:  # accepts connections (backlog) but never answers
        silent.bind(("127.0.0.1", 0))
        silent.listen(1)
        with pytest.raises(ScannerUnavailable, match="timed out"):
            ClamdScanner(f"tcp://127.0.0.1:{silent.getsockname()[1]}", timeout=0.3).scan(b"x")
    with pytest.raises(ScannerUnavailable, match="unsupported address"):
        ClamdScanner("http://127.0.0.1:3310").scan(b"x")


def test_clamav_address_chooses_clamd_and_without_it_nothing_is_scanned(monkeypatch):
    monkeypatch.setenv("CLAMAV_ADDRESS", "tcp://127.0.0.1:3310")
    monkeypatch.setenv("CLAMAV_TIMEOUT", "7")
    assert runpy.run_path(openimi.settings.__file__)["VIRUS_SCANNER"] == {
        "class": "openimi.exchanges.scanning.ClamdScanner",
        "address": "tcp://127.0.0.1:3310",
        "timeout": 7,
    }
    monkeypatch.delenv("CLAMAV_ADDRESS")
    monkeypatch.delenv("CLAMAV_ADDRESS_FILE", raising=False)
    default = runpy.run_path(openimi.settings.__file__)["VIRUS_SCANNER"]
    assert default == {"class": "openimi.exchanges.scanning.NoScanner"}


def test_no_scanner_lets_every_file_through(settings):
    settings.VIRUS_SCANNER = {"class": "openimi.exchanges.scanning.NoScanner"}
    assert isinstance(configured_scanner(), NoScanner)
    assert not configured_scanner().scan(EICAR).infected
