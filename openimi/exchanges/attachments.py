"""Attachment checks: size, the real type read from the content (a renamed executable is
refused), archive bombs (office documents are zip archives), a virus scan
(:mod:`openimi.exchanges.scanning`), and a safe file name. Storage is Django's storage API
(filesystem by default, swappable in settings.STORAGES)."""

import io
import logging
import re
import unicodedata
import uuid
import zipfile
from dataclasses import dataclass
from pathlib import PurePath

import filetype
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from openimi.exchanges.scanning import ScannerUnavailable, configured_scanner

logger = logging.getLogger(__name__)

# Detected content type -> file name extensions that may carry it.
ALLOWED = {
    "application/pdf": {".pdf"},
    "image/png": {".png"},
    "image/jpeg": {".jpg", ".jpeg"},
    "image/tiff": {".tif", ".tiff"},
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": {".docx"},
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {".xlsx"},
    "application/vnd.oasis.opendocument.text": {".odt"},
    "application/vnd.oasis.opendocument.spreadsheet": {".ods"},
    "text/plain": {".txt", ".csv"},
}
# Entries that are archives themselves, known by name (the zip directory is all that is read).
ARCHIVE_SUFFIXES = (".zip", ".jar", ".docx", ".xlsx", ".pptx", ".odt", ".ods", ".odp", ".epub")
OTHER_ARCHIVE_SUFFIXES = (".gz", ".tgz", ".bz2", ".xz", ".7z", ".rar", ".tar", ".cab")


class InfectedUpload(ValidationError):
    """The scanner found a virus. A ValidationError like the other refusals, so pages and the
    API show it on the file field; the service also records it in the audit log."""

    def __init__(self, signature: str, size: int):
        message = _("A virus was found in this file (%(signature)s). It has not been stored.")
        super().__init__({"file": [message % {"signature": signature}]})
        self.signature = signature
        self.size = size


class ScanUnavailable(ValidationError):
    """The scanner could not be asked; the file is refused rather than stored unchecked."""

    def __init__(self):
        super().__init__({"file": [_("This file cannot be checked for viruses now. Try again later.")]})


@dataclass
class CheckedUpload:
    content: ContentFile
    content_type: str
    size: int
    safe_name: str
    storage_name: str


def safe_name(name: str) -> str:
    """The base name only (no path), printable, at most 120 characters."""
    base = PurePath(str(name).replace("\\", "/")).name
    base = unicodedata.normalize("NFC", base)
    base = re.sub(r"[^\w.\- ()]", "_", base).strip(" .") or "document"
    return base[-120:]


def check_upload(upload) -> CheckedUpload:
    """Read and check an upload; raise ValidationError on the ``file`` field (InfectedUpload
    when it carries a virus). Stores nothing."""
    limit = settings.ATTACHMENT_MAX_BYTES
    data = upload.read(limit + 1)
    if len(data) > limit:
        # filesizeformat, not whole megabytes: a limit under 1 MB read "larger than 0 MB".
        raise ValidationError({"file": [_("The file is larger than %(size)s.") % {"size": filesizeformat(limit)}]})
    if not data:
        raise ValidationError({"file": [_("The file is empty.")]})
    name = safe_name(getattr(upload, "name", "") or "document")
    extension = PurePath(name).suffix.lower()
    guessed = filetype.guess(data)
    if guessed is not None:
        content_type = guessed.mime
    else:
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            text = None
        content_type = "text/plain" if text is not None and "\x00" not in text else "application/octet-stream"
    if data[:4] in (b"PK\x03\x04", b"PK\x05\x06") or content_type.endswith("zip") or "officedocument" in content_type:
        _check_archive(data)
    if content_type not in ALLOWED:
        raise ValidationError(
            {"file": [_("This type of file is not accepted. Send PDF, images, office documents or text.")]}
        )
    if extension not in ALLOWED[content_type]:
        raise ValidationError(
            {"file": [_("The file's name does not match its content (%(type)s).") % {"type": content_type}]}
        )
    _scan(data)
    return CheckedUpload(ContentFile(data), content_type, len(data), name, f"{uuid.uuid4().hex}{extension}")


def _archive_error(message: str) -> ValidationError:
    return ValidationError({"file": [message]})


def _check_archive(data: bytes) -> None:
    """Refuse a zip container that would expand beyond the limits, holds archives inside
    archives, or is damaged. Only the zip directories are read (ZipInfo.file_size is what
    the archive declares; a reader that trusts it stops there), nothing is unpacked, except
    the entries that are archives themselves, one level down and each within
    ATTACHMENT_MAX_BYTES, to read their own directory."""
    budget = {"bytes": settings.ATTACHMENT_MAX_EXPANDED_BYTES, "entries": settings.ATTACHMENT_MAX_ARCHIVE_ENTRIES}
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            for inner in _count(archive.infolist(), budget):
                if inner.file_size > settings.ATTACHMENT_MAX_BYTES:
                    raise _archive_error(_("This file holds archives inside archives, which are not accepted."))
                with zipfile.ZipFile(io.BytesIO(archive.read(inner))) as nested:
                    if _count(nested.infolist(), budget):
                        raise _archive_error(_("This file holds archives inside archives, which are not accepted."))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, NotImplementedError, RuntimeError, ValueError):
        # RuntimeError: an encrypted entry; NotImplementedError: an unknown compression.
        raise _archive_error(_("This file is damaged and cannot be read.")) from None


def _count(entries: list[zipfile.ZipInfo], budget: dict) -> list[zipfile.ZipInfo]:
    """Charge ``entries`` to the budget; return those that are zip archives themselves."""
    budget["entries"] -= len(entries)
    budget["bytes"] -= sum(entry.file_size for entry in entries)
    if budget["entries"] < 0:
        raise _archive_error(
            _("This archive holds too many files (more than %(count)s).")
            % {"count": settings.ATTACHMENT_MAX_ARCHIVE_ENTRIES}
        )
    if budget["bytes"] < 0:
        raise _archive_error(
            _("This archive is too large once unpacked (more than %(size)s).")
            % {"size": filesizeformat(settings.ATTACHMENT_MAX_EXPANDED_BYTES)}
        )
    names = [(entry, entry.filename.lower()) for entry in entries if not entry.is_dir()]
    if any(name.endswith(OTHER_ARCHIVE_SUFFIXES) for _entry, name in names):
        raise _archive_error(_("This file holds archives inside archives, which are not accepted."))
    return [entry for entry, name in names if name.endswith(ARCHIVE_SUFFIXES)]


def _scan(data: bytes) -> None:
    """Last, so that files refused for their size or type do not cost a scan."""
    scanner = configured_scanner()
    try:
        result = scanner.scan(data)
    except ScannerUnavailable as exc:
        logger.error("Virus scanner %s unavailable, upload refused: %s", scanner.name, exc)
        raise ScanUnavailable from exc
    if result.infected:
        logger.warning("Virus scanner %s found %s in an upload, refused", scanner.name, result.signature)
        raise InfectedUpload(result.signature, len(data))
