"""Load the shipped question sets (``questionnaires/data``): the English master merged with
the texts of every language. Self-contained on purpose: migrations must not import app code."""

import json
from pathlib import Path

from django.db import migrations

DATA_DIR = Path(__file__).resolve().parent.parent / "data"


def load(apps, schema_editor):
    QuestionSet = apps.get_model("questionnaires", "QuestionSet")
    QuestionGroup = apps.get_model("questionnaires", "QuestionGroup")
    Question = apps.get_model("questionnaires", "Question")
    AnswerOption = apps.get_model("questionnaires", "AnswerOption")

    master = json.loads((DATA_DIR / "question_sets.en.json").read_text(encoding="utf-8"))
    texts = {
        path.stem: json.loads(path.read_text(encoding="utf-8"))
        for path in sorted((DATA_DIR / "translations").glob("*.json"))
    }

    def all_languages(key: str, english: str) -> dict[str, str]:
        out = {lang: data[key] for lang, data in texts.items() if data.get(key)}
        out["en"] = english
        return out

    for spec in master["question_sets"]:
        code = spec["code"]
        if QuestionSet.objects.filter(code=code).exists():
            continue
        qset = QuestionSet.objects.create(
            code=code,
            version=spec["version"],
            legal_area_id=spec["legal_area"],
            titles=all_languages(f"{code}.title", spec["title"]),
            is_current=True,
        )
        for g, group in enumerate(spec["groups"]):
            grp = QuestionGroup.objects.create(
                question_set=qset,
                code=group["code"],
                position=g,
                titles=all_languages(f"{code}.{group['code']}.title", group["title"]),
            )
            for q, item in enumerate(group["questions"]):
                condition = item.get("condition") or {}
                question = Question.objects.create(
                    question_set=qset,
                    group=grp,
                    code=item["code"],
                    position=q,
                    type=item["type"],
                    texts=all_languages(f"{code}.{item['code']}.text", item["text"]),
                    condition_question=condition.get("question", ""),
                    condition_value=condition.get("equals", ""),
                )
                for o, option in enumerate(item.get("options", [])):
                    AnswerOption.objects.create(
                        question=question,
                        code=option["code"],
                        position=o,
                        labels=all_languages(f"{code}.{item['code']}.{option['code']}", option["label"]),
                    )


class Migration(migrations.Migration):
    dependencies = [("questionnaires", "0001_initial"), ("core", "0002_load_reference_data")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
