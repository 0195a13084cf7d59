import json

from django.core.management.base import BaseCommand, CommandError

from openimi.questionnaires.models import QuestionSet
from openimi.questionnaires.services import question_set_export


class Command(BaseCommand):
    help = "Print a question set as JSON (the current version unless --set-version is given)."

    def add_arguments(self, parser):
        parser.add_argument("code")
        parser.add_argument("--set-version", type=int, dest="set_version")

    def handle(self, *args, code, set_version, **options):
        sets = QuestionSet.objects.filter(code=code)
        qset = sets.filter(version=set_version).first() if set_version else sets.filter(is_current=True).first()
        if qset is None:
            raise CommandError(f"No question set {code}.")
        self.stdout.write(json.dumps(question_set_export(qset), ensure_ascii=False, indent=1))
