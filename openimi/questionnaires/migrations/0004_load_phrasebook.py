"""Load the shipped phrasebook (``questionnaires/data/phrasebook.json``, the import/export
format). Self-contained on purpose: migrations must not import app code."""

import json
from pathlib import Path

from django.db import migrations

DATA_FILE = Path(__file__).resolve().parent.parent / "data" / "phrasebook.json"


def load(apps, schema_editor):
    Phrasebook = apps.get_model("questionnaires", "Phrasebook")
    Phrase = apps.get_model("questionnaires", "Phrase")
    if Phrasebook.objects.exists():
        return
    document = json.loads(DATA_FILE.read_text(encoding="utf-8"))
    book = Phrasebook.objects.create(version=document["version"], is_current=True)
    Phrase.objects.bulk_create(
        [
            Phrase(phrasebook=book, code=p["code"], legal_area_id=p["legal_area"], position=i, texts=p["texts"])
            for i, p in enumerate(document["phrases"])
        ]
    )


class Migration(migrations.Migration):
    dependencies = [("questionnaires", "0003_phrasebook"), ("core", "0002_load_reference_data")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
