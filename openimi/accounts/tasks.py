"""Background jobs of the accounts app."""

from django_tasks import task

from openimi.lib.ratelimit import prune


@task()
def prune_rate_counters() -> int:
    """Daily: drop request-rate counters whose window ended more than a day ago."""
    return prune()
