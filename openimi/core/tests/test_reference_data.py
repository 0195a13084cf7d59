import pytest
from django.conf import settings
from django.core.management import call_command

from openimi.core.models import Country, Language, LegalArea, Region, Term, Vocabulary

UI_LANGUAGES = [code for code, _name in settings.LANGUAGES]


def test_thirty_countries_with_regions_and_names_in_every_language(db):
    countries = Country.objects.all()
    assert countries.count() == 30
    for country in countries:
        assert set(country.names) >= set(UI_LANGUAGES), country.code
        assert Region.objects.filter(country=country).exists() or country.code in {"LI", "CY", "IS", "MT", "LU"}
    assert Country.objects.get(code="DE").names["fr"] == "Allemagne"
    assert Country.objects.get(code="FR").names["pl"] == "Francja"


def test_french_departements_belong_to_their_region(db):
    assert Region.objects.get(code="FR-77").parent_id == "FR-IDF"
    assert Region.objects.get(code="FR-77").ancestor_codes() == {"FR-77", "FR-IDF"}


def test_twenty_six_languages_named_in_each_other(db):
    assert sorted(Language.objects.values_list("code", flat=True)) == sorted(UI_LANGUAGES)
    assert Language.objects.get(code="de").names["it"] == "tedesco"


def test_belgium_has_three_official_languages(db):
    assert set(Country.objects.get(code="BE").languages.values_list("code", flat=True)) == {"nl", "fr", "de"}


def test_every_legal_area_vocabulary_and_term_is_translated_into_all_languages(db):
    missing = []
    for area in LegalArea.objects.all():
        missing += [(area.code, lang) for lang in UI_LANGUAGES if not area.names.get(lang)]
        missing += [(area.code, "description", lang) for lang in UI_LANGUAGES if not area.descriptions.get(lang)]
    for vocabulary in Vocabulary.objects.all():
        missing += [(vocabulary.code, lang) for lang in UI_LANGUAGES if not vocabulary.names.get(lang)]
    for term in Term.objects.all():
        missing += [(term.code, lang) for lang in UI_LANGUAGES if not term.labels.get(lang)]
    assert missing == []


def test_translations_are_not_english_copies(db):
    copies = [
        (term.code, lang)
        for term in Term.objects.all()
        for lang in UI_LANGUAGES
        if lang != "en" and term.labels[lang] == term.labels["en"] and len(term.labels["en"]) > 12
    ]
    assert copies == []


def test_the_four_required_legal_areas_exist(db):
    assert set(LegalArea.objects.values_list("code", flat=True)) >= {
        "services",
        "professional_qualifications",
        "posting_of_workers",
        "general_cooperation",
    }


def test_content_report_finds_nothing_missing_and_names_a_gap(db, capsys):
    call_command("content_report")
    assert capsys.readouterr().out.strip().endswith("0 missing texts in all.")
    term = Term.objects.get(code="architect")
    del term.labels["ga"]
    term.save()
    with pytest.raises(SystemExit):
        call_command("content_report")
    assert "Term.labels [ga]: 1 missing (architect)" in capsys.readouterr().out
