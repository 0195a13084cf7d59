"""Periodic statistics work, enqueued by ``run_scheduler`` every few minutes."""

from django_tasks import task

from openimi.statistics.facts import fold_new_events


@task()
def fold_statistics() -> dict:
    return fold_new_events()
