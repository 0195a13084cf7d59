"""Periodic privacy work, enqueued by ``run_scheduler``: the reminders of data-subject requests
falling due, and the retention rules. Both are idempotent."""

from django_tasks import task

from openimi.privacy.retention import apply_retention as retention_apply
from openimi.privacy.services import remind_subject_requests


@task()
def check_subject_request_deadlines() -> dict:
    return {"subject_requests": remind_subject_requests()}


@task()
def apply_retention() -> dict:
    return retention_apply()
