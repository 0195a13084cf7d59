"""Load countries, regions and languages (CLDR via Babel, ISO 3166-2 via pycountry), legal
areas and competence vocabularies (``core/data``). Self-contained on purpose: migrations
must not import application code.
"""

import json
from pathlib import Path

from django.db import migrations

DATA_DIR = Path(__file__).resolve().parent.parent / "data"

LANGUAGES = "bg cs da de el en es et fi fr ga hr hu is it lt lv mt nb nl pl pt ro sk sl sv".split()
COUNTRIES = "AT BE BG HR CY CZ DK EE FI FR DE GR HU IE IT LV LT LU MT NL PL PT RO SK SI ES SE IS LI NO".split()


def _cldr_names(kind: str, code: str) -> dict[str, str]:
    from babel import Locale

    names = {}
    for lang in LANGUAGES:
        table = getattr(Locale.parse(lang), kind)
        names[lang] = table.get(code) or table.get(code.split("_")[0]) or code
    return names


def load_languages_and_countries(apps, schema_editor):
    import pycountry
    from babel.languages import get_official_languages

    Language = apps.get_model("core", "Language")
    Country = apps.get_model("core", "Country")
    Region = apps.get_model("core", "Region")

    for code in LANGUAGES:
        Language.objects.update_or_create(code=code, defaults={"names": _cldr_names("languages", code)})

    for code in COUNTRIES:
        official = [lang for lang in get_official_languages(code) if lang in LANGUAGES]
        country, _ = Country.objects.update_or_create(
            code=code, defaults={"names": _cldr_names("territories", code), "default_language_id": official[0]}
        )
        country.languages.set(official)

        subdivisions = list(pycountry.subdivisions.get(country_code=code) or [])
        Region.objects.bulk_create(
            [Region(code=s.code, country_id=code, name=s.name, kind=s.type) for s in subdivisions],
            ignore_conflicts=True,
        )
        known = {s.code for s in subdivisions}
        for s in subdivisions:
            parent = s.parent_code and (s.parent_code if "-" in s.parent_code else f"{code}-{s.parent_code}")
            if parent in known:
                Region.objects.filter(code=s.code).update(parent_id=parent)


def load_legal_areas_and_vocabularies(apps, schema_editor):
    LegalArea = apps.get_model("core", "LegalArea")
    Vocabulary = apps.get_model("core", "Vocabulary")
    Term = apps.get_model("core", "Term")

    master = json.loads((DATA_DIR / "vocabularies.en.json").read_text(encoding="utf-8"))
    translations = {
        path.stem: json.loads(path.read_text(encoding="utf-8"))
        for path in sorted((DATA_DIR / "translations").glob("*.json"))
    }

    def texts(section: str, code: str, field: str | None, english: str) -> dict[str, str]:
        out = {"en": english}
        for lang, data in translations.items():
            value = data.get(section, {}).get(code)
            if isinstance(value, dict):
                value = value.get(field)
            if value:
                out[lang] = value
        return out

    for area in master["legal_areas"]:
        LegalArea.objects.update_or_create(
            code=area["code"],
            defaults={
                "names": texts("legal_areas", area["code"], "name", area["name"]),
                "descriptions": texts("legal_areas", area["code"], "description", area["description"]),
            },
        )
    for vocabulary in master["vocabularies"]:
        Vocabulary.objects.update_or_create(
            code=vocabulary["code"],
            defaults={
                "legal_area_id": vocabulary["legal_area"],
                "kind": vocabulary["kind"],
                "names": texts("vocabularies", vocabulary["code"], None, vocabulary["name"]),
            },
        )
        for term in vocabulary["terms"]:
            Term.objects.update_or_create(
                code=term["code"],
                defaults={
                    "vocabulary_id": vocabulary["code"],
                    "labels": texts("terms", term["code"], None, term["label"]),
                },
            )


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]

    operations = [
        migrations.RunPython(load_languages_and_countries, migrations.RunPython.noop),
        migrations.RunPython(load_legal_areas_and_vocabularies, migrations.RunPython.noop),
    ]
