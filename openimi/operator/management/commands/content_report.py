"""For operators: which structured content lacks a text in which language."""

from django.conf import settings
from django.core.management.base import BaseCommand

from openimi.core.models import LegalArea, Term, Vocabulary
from openimi.questionnaires.models import AnswerOption, Question, QuestionGroup, QuestionSet

CONTENT = [
    (LegalArea, "names"),
    (LegalArea, "descriptions"),
    (Vocabulary, "names"),
    (Term, "labels"),
    (QuestionSet, "titles"),
    (QuestionGroup, "titles"),
    (Question, "texts"),
    (AnswerOption, "labels"),
]


class Command(BaseCommand):
    help = "Report structured content (legal areas, vocabularies, question sets) missing in any language."

    def handle(self, *args, **options):
        languages = [code for code, _name in settings.LANGUAGES]
        total = 0
        for model, field in CONTENT:
            rows = list(model.objects.all())
            for lang in languages:
                missing = [str(obj.pk) for obj in rows if not (getattr(obj, field) or {}).get(lang, "").strip()]
                if missing:
                    total += len(missing)
                    self.stdout.write(
                        f"{model.__name__}.{field} [{lang}]: {len(missing)} missing "
                        f"({', '.join(missing[:10])}{' …' if len(missing) > 10 else ''})"
                    )
            self.stdout.write(f"{model.__name__}.{field}: {len(rows)} items checked in {len(languages)} languages")
        self.stdout.write(f"{total} missing texts in all.")
        if total:
            raise SystemExit(1)
