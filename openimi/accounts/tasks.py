"""Background jobs of the accounts app: mails that carry a link to choose a password, and the
daily pruning of request-rate counters.

Such a link signs its holder into the account, so it is made here, when the mail is sent: the
queued task (stored in the database with its arguments and result) holds only the user's id.
"""

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django_tasks import task

from openimi.accounts.models import User
from openimi.lib.ratelimit import prune
from openimi.notifications.tasks import mail_render, mail_send

ACCOUNT_CREATED = "account_created"
PASSWORD_RESET = "password_reset"  # noqa: S105 - a mail kind, not a secret


def password_link(user: User) -> str:
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    return settings.SITE_URL + reverse("accounts:password_reset_confirm", args=[uid, token])


@task()
def send_password_link(*, user_id: int, kind: str, authority_name: str = "") -> None:
    """Mail ``user_id`` a fresh link to choose a password, in the user's language: for a new
    account (``account_created``, member of the authority named ``authority_name``) or a reset
    they asked for."""
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None:
        return
    link = password_link(user)
    if kind == ACCOUNT_CREATED:
        subject, body = mail_render(
            template=ACCOUNT_CREATED,
            context={"authority": authority_name, "link": link},
            language=user.language,
        )
    elif kind == PASSWORD_RESET:
        with translation.override(user.language):
            context = {"user": user, "link": link}
            subject = "".join(render_to_string("accounts/password_reset_subject.txt", context).splitlines())
            body = render_to_string("accounts/password_reset_email.txt", context)
    else:
        raise ValueError(f"unknown password mail: {kind}")
    mail_send(to=[user.email], subject=subject, body=body)


@task()
def prune_rate_counters() -> int:
    """Daily: drop request-rate counters whose window ended more than a day ago."""
    return prune()
