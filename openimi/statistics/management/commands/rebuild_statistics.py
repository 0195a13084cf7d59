"""Rebuild every request's statistics fact from its event history, printing progress."""

import time

from django.core.management.base import BaseCommand

from openimi.statistics.facts import rebuild


class Command(BaseCommand):
    help = "Rebuild the statistics facts of every request from its events (metadata only)."

    def handle(self, *args, **options):
        started = time.monotonic()

        def progress(done: int, total: int) -> None:
            self.stdout.write(f"{done}/{total} requests ({time.monotonic() - started:.1f} s)")

        folded = rebuild(progress)
        self.stdout.write(self.style.SUCCESS(f"{folded} facts in {time.monotonic() - started:.1f} s"))
