"""Shared set-up for benchmarks: a throw-away database, migrated, outside the demo's own."""

import os
import sys
import tempfile
import time
from pathlib import Path

import django
import psycopg

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def django_with_fresh_database(database_url: str | None = None) -> str:
    """Point Django at a new database (SQLite file in a temp dir unless DATABASE_URL is given)."""
    if database_url is None:
        path = Path(tempfile.mkdtemp(prefix="openimi-bench-")) / "bench.sqlite3"
        database_url = f"sqlite:///{path}"
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "openimi.settings")
    os.environ.setdefault("OPENIMI_ENV", "development")
    os.environ["DEBUG"] = "0"
    django.setup()
    return database_url


def reset_postgres_database(url: str) -> None:
    """Drop and recreate the PostgreSQL database named in ``url`` (benchmarks only)."""
    name = url.rsplit("/", 1)[1]
    admin = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')


def timed(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start
