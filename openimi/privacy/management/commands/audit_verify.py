from django.core.management.base import BaseCommand

from openimi.privacy.audit import verify


class Command(BaseCommand):
    help = "Verify the audit log's hash chain; name the first row that was changed or removed."

    def add_arguments(self, parser):
        parser.add_argument("--progress", action="store_true", help="print a line every 100,000 entries")

    def handle(self, *args, **options):
        def progress(checked: int) -> None:
            if checked % 100_000 == 0:
                self.stdout.write(f"… {checked} entries verified")

        report = verify(progress=progress if options["progress"] else None)
        if report.broken_at is not None:
            self.stdout.write(f"Audit log broken at entry {report.broken_at} (after {report.checked} intact entries).")
            raise SystemExit(1)
        if not report.tail_intact:
            self.stdout.write(
                f"Audit log broken at its end: {report.checked} entries chain, but the last recorded entry is missing."
            )
            raise SystemExit(1)
        self.stdout.write(f"Audit log intact: {report.checked} entries verified.")
