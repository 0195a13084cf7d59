import re

from django.conf import settings

from openimi.questionnaires.models import Phrase, Phrasebook

LANGUAGES = [code for code, _name in settings.LANGUAGES]
PLACEHOLDER = re.compile(r"\{(\w+)\}")


def test_the_shipped_phrasebook_is_current_with_general_and_area_phrases(db):
    book = Phrasebook.objects.get(is_current=True)
    areas = set(book.phrases.values_list("legal_area_id", flat=True))
    assert None in areas
    assert {"services", "professional_qualifications", "posting_of_workers", "general_cooperation"} <= areas
    assert book.phrases.count() >= 20


def test_every_phrase_has_all_26_languages_and_the_same_placeholders(db):
    problems = []
    for phrase in Phrase.objects.all():
        english = set(PLACEHOLDER.findall(phrase.texts["en"]))
        for lang in LANGUAGES:
            text = (phrase.texts.get(lang) or "").strip()
            if not text:
                problems.append((phrase.code, lang, "missing"))
            elif set(PLACEHOLDER.findall(text)) != english:
                problems.append((phrase.code, lang, "placeholders"))
    assert problems == []


def test_phrases_are_not_english_copies(db):
    copies = [
        (p.code, lang)
        for p in Phrase.objects.all()
        for lang in LANGUAGES
        if lang != "en" and p.texts[lang] == p.texts["en"]
    ]
    assert copies == []
