"""Query counts that depend on the database: shared by the tests that assert exact counts."""

from django.db import connection


def audit_write() -> int:
    """Queries of one audit entry: lock the head, then on PostgreSQL insert the entry and move
    the head in one statement (two queries), elsewhere insert and update apart (three)."""
    return 2 if connection.vendor == "postgresql" else 3
