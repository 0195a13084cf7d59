"""Enqueue the periodic jobs for the worker: outbox delivery every minute, deadlines every
15 minutes; digests, retention, the removal of orphan attachment files and the pruning of rate
counters once a day. Run exactly one scheduler per installation (any number of ``db_worker``
processes execute what it enqueues). It lives in ``web``, the top layer, because it enqueues
the jobs of every app."""

import time

from django.core.management.base import BaseCommand
from django.utils import timezone

from openimi.accounts.tasks import prune_rate_counters
from openimi.exchanges.tasks import check_deadlines, cleanup_attachments
from openimi.notifications.tasks import deliver_notifications, send_digests
from openimi.privacy.tasks import apply_retention, check_subject_request_deadlines
from openimi.statistics.tasks import fold_statistics


class Command(BaseCommand):
    help = "Enqueue periodic jobs (deadlines, notification delivery, daily digests)."

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="Enqueue every job once and exit.")
        parser.add_argument("--digest-hour", type=int, default=7)

    def handle(self, *args, once, digest_hour, **options):
        last = {"deliver": 0.0, "deadlines": 0.0, "statistics": 0.0}
        digest_day = None
        while True:
            now = time.monotonic()
            if once or now - last["deliver"] >= 60:
                deliver_notifications.enqueue()
                last["deliver"] = now
            if once or now - last["deadlines"] >= 900:
                check_deadlines.enqueue()
                check_subject_request_deadlines.enqueue()
                last["deadlines"] = now
            # The figures follow the request events within five minutes (docs/statistics.md).
            if once or now - last["statistics"] >= 300:
                fold_statistics.enqueue()
                last["statistics"] = now
            local = timezone.localtime()
            if once or (local.hour == digest_hour and digest_day != local.date()):
                send_digests.enqueue()
                apply_retention.enqueue()
                prune_rate_counters.enqueue()
                cleanup_attachments.enqueue()
                digest_day = local.date()
            if once:
                return
            time.sleep(5)
