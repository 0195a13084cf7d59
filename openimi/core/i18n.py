"""Pick the reader's text out of a language-neutral ``{language: text}`` mapping."""

from collections.abc import Mapping

from django.utils import translation

FALLBACK_LANGUAGE = "en"


def pick(texts: Mapping[str, str] | None, language: str | None = None) -> str:
    """Return the text in ``language`` (default: the active one), else English, else any."""
    if not texts:
        return ""
    language = language or translation.get_language() or FALLBACK_LANGUAGE
    base = language.split("-")[0]
    for code in (language, base, FALLBACK_LANGUAGE):
        if texts.get(code):
            return texts[code]
    return next(iter(texts.values()), "")
