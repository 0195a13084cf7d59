"""Delete attachment files that no Attachment row points to (older than an hour). The
scheduler runs it daily; run it by hand after restoring a database backup, for example."""

from django.core.management.base import BaseCommand

from openimi.exchanges.tasks import remove_orphan_files


class Command(BaseCommand):
    help = "Delete attachment files that no attachment refers to, once older than an hour."

    def handle(self, *args, **options):
        removed = remove_orphan_files()
        self.stdout.write(f"{removed} orphan file(s) removed.")
