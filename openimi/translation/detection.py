"""Language of a free text, detected offline with Lingua (its models ship in the wheel).
Lingua has no Maltese model; Maltese texts are recognised only when the writer states it."""

from functools import lru_cache

from django.conf import settings
from lingua import IsoCode639_1, Language, LanguageDetectorBuilder


@lru_cache(maxsize=1)
def _detector():
    languages = []
    for code, _name in settings.LANGUAGES:
        try:
            languages.append(Language.from_iso_code_639_1(getattr(IsoCode639_1, code.upper())))
        except (AttributeError, ValueError):
            continue
    return LanguageDetectorBuilder.from_languages(*languages).with_minimum_relative_distance(0.1).build()


def detect_language(text: str) -> str | None:
    """The interface-language code of ``text``, or None when it cannot be told reliably."""
    sample = (text or "").strip()[:2000]
    if len(sample) < 3:
        return None
    language = _detector().detect_language_of(sample)
    if language is None:
        return None
    code = language.iso_code_639_1.name.lower()
    return code if code in dict(settings.LANGUAGES) else None
