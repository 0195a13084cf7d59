"""A queued task is stored in the database with its arguments and result (django-tasks-db),
and the operator or a database reader could read it there. Links that sign someone in (a
password link, an invitation) must therefore be made when the mail is sent, never queued."""

import re

import pytest
from django.test import Client
from django.urls import reverse
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult

from openimi.directory import services as directory_services
from openimi.directory.members import member_add
from openimi.notifications.models import Notification

LINK = re.compile(r"http://testserver/\S+")


@pytest.fixture
def queued_in_database(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


def stored_text() -> str:
    rows = DBTaskResult.objects.values_list("args_kwargs", "return_value", "exception_class_path", "traceback")
    notifications = Notification.objects.values_list("kind", "last_error")
    return repr(list(rows)) + repr(list(notifications))


def run_worker() -> None:
    """What ``manage.py db_worker`` does with each queued row (the command itself closes the
    test's database connection), results recorded on the row."""
    worker = Worker(
        queue_names=["default"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="test",
        excluded_queue_names=[],
    )
    for row in DBTaskResult.objects.ready():
        row.claim("test")
        worker.run_task(row)
    assert not DBTaskResult.objects.failed().exists()


def test_a_password_reset_link_is_never_stored_with_the_queued_task(queued_in_database, fr_handler, mailbox):
    Client().post(reverse("accounts:password_reset"), {"email": fr_handler.email})
    assert DBTaskResult.objects.count() == 1
    assert "/accounts/password/reset/" not in stored_text()

    run_worker()
    link = LINK.search(mailbox.wait(1)[0].get_content()).group(0)
    assert link.split("/accounts/password/reset/")[1].split("/")[0] not in stored_text()
    assert link not in stored_text()
    # The link made at send time works: it leads to the form for choosing a new password.
    client = Client()
    response = client.get(link, follow=True)
    assert response.status_code == 200 and "new_password1" in response.content.decode()


def test_a_new_members_password_link_is_never_stored_with_the_queued_task(
    queued_in_database, fr_admin, fr_authority, mailbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        member_add(
            actor=fr_admin,
            authority=fr_authority,
            email="neu@architectes.example",
            full_name="Nina Neu",
            roles=[("observer", None)],
        )
    assert DBTaskResult.objects.count() == 1
    assert "/accounts/password/reset/" not in stored_text()
    run_worker()
    mail = mailbox.wait(1)[0]
    link = LINK.search(mail.get_content()).group(0)
    assert "/accounts/password/reset/" in link and link not in stored_text()
    assert fr_authority.official_name in mail["Subject"]


def test_an_invitation_link_is_never_stored_with_the_queued_task(
    queued_in_database, fr_coordinator, mailbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        _authority, link = directory_services.authority_invite(
            actor=fr_coordinator, email="accueil@mairie-lille.example", official_name="Mairie de Lille", country="FR"
        )
    token = link.rstrip("/").rsplit("/", 1)[1]
    assert DBTaskResult.objects.count() == 1
    assert token not in stored_text()
    run_worker()
    mail = mailbox.wait(1)[0]
    assert link in mail.get_content() and token not in stored_text()
    assert directory_services.invitation_get(token).email == "accueil@mairie-lille.example"
