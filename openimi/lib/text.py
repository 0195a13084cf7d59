"""Checking free text typed by users, the same way in every service."""

from django.utils.translation import gettext as _
from django.utils.translation import ngettext


def labelled(label: object, text: object) -> str:
    """ "Label: text" as a translatable pattern, never glued in code: French puts a space
    before the colon ("Libellé : texte"), other languages their own punctuation."""
    return _("%(label)s: %(text)s") % {"label": label, "text": text}


def clean_text(value: str, name: str, errors: dict[str, list[str]], *, required: bool = False, limit: int) -> str:
    """``value`` stripped; a NUL byte, more than ``limit`` characters or a missing required
    text adds an error under ``name`` to ``errors`` (the caller raises them together)."""
    value = (value or "").strip()
    if "\x00" in value:
        errors.setdefault(name, []).append(_("This field contains characters that are not allowed."))
    elif len(value) > limit:
        errors.setdefault(name, []).append(
            ngettext(
                "This text can have at most %(limit)d character.",
                "This text can have at most %(limit)d characters.",
                limit,
            )
            % {"limit": limit}
        )
    elif required and not value:
        errors.setdefault(name, []).append(_("This field is required."))
    return value
