import json
from pathlib import Path

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError

from openimi.accounts.models import User
from openimi.questionnaires.services import question_set_import


class Command(BaseCommand):
    help = "Publish a question set from a JSON file (a new version if the code exists)."

    def add_arguments(self, parser):
        parser.add_argument("path")
        parser.add_argument("--operator", required=True, help="E-mail of the operator publishing it.")

    def handle(self, *args, path, operator, **options):
        actor = User.objects.filter(email__iexact=operator, is_operator=True).first()
        if actor is None:
            raise CommandError(f"No operator {operator}.")
        try:
            document = json.loads(Path(path).read_text(encoding="utf-8"))
            qset = question_set_import(actor=actor, document=document)
        except (OSError, json.JSONDecodeError) as exc:
            raise CommandError(f"Cannot read {path}: {exc}") from exc
        except ValidationError as exc:
            raise CommandError("\n".join(exc.message_dict.get("file", exc.messages))) from exc
        except PermissionDenied as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"Published {qset.code} version {qset.version}.")
