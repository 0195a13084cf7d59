from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError

from openimi.accounts.models import User
from openimi.directory.members import token_issue
from openimi.directory.selectors import authorities_to_act_for


class Command(BaseCommand):
    help = "Create an API token for a user, acting for one of the user's authorities. Prints the token once."

    def add_arguments(self, parser):
        parser.add_argument("email")
        parser.add_argument("--authority", type=int, help="Authority number (default: the user's only authority).")
        parser.add_argument("--name", default="API token")

    def handle(self, *args, email, authority, name, **options):
        user = User.objects.filter(email__iexact=email, is_active=True).first()
        if user is None:
            raise CommandError(f"No active user {email}.")
        choices = list(authorities_to_act_for(user))
        if authority is None and len(choices) == 1:
            target = choices[0]
        else:
            target = next((a for a in choices if a.pk == authority), None)
        if target is None:
            listing = ", ".join(f"{a.pk} ({a.official_name})" for a in choices) or "none"
            raise CommandError(f"Choose --authority among the user's authorities: {listing}.")
        try:
            token, raw = token_issue(actor=user, authority=target, name=name)
        except (PermissionDenied, ValidationError) as exc:
            raise CommandError(str(exc)) from exc
        self.stderr.write(f"Token {token.prefix}… for {user.email} acting for {target.official_name}:")
        self.stdout.write(raw)
