"""Attachment checks: size, and the real type read from the content (a renamed executable
is refused), with a safe file name. Storage is Django's storage API (filesystem by default,
swappable in settings.STORAGES)."""

import re
import unicodedata
import uuid
from dataclasses import dataclass
from pathlib import PurePath

import filetype
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils.translation import gettext as _

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
    limit = settings.ATTACHMENT_MAX_BYTES
    data = upload.read(limit + 1)
    if len(data) > limit:
        raise ValidationError({"file": [_("The file is larger than %(mb)d MB.") % {"mb": limit // (1024 * 1024)}]})
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
    if content_type not in ALLOWED:
        raise ValidationError(
            {"file": [_("This type of file is not accepted. Send PDF, images, office documents or text.")]}
        )
    if extension not in ALLOWED[content_type]:
        raise ValidationError(
            {"file": [_("The file's name does not match its content (%(type)s).") % {"type": content_type}]}
        )
    return CheckedUpload(ContentFile(data), content_type, len(data), name, f"{uuid.uuid4().hex}{extension}")
