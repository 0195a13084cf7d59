"""Background jobs that talk to the outside world (run by the django-tasks worker)."""

from django.conf import settings
from django.core.mail import EmailMessage
from django_tasks import task


@task()
def send_email(*, to: list[str], subject: str, body: str) -> None:
    """Deliver one rendered mail over SMTP; a failure raises and is recorded by the worker."""
    EmailMessage(subject=subject, body=body, from_email=settings.DEFAULT_FROM_EMAIL, to=to).send()
