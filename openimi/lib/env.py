"""Small typed readers for settings taken from the environment (healthchecks style).

A variable ``NAME_FILE`` pointing at a file wins over ``NAME``, so secrets can come from
mounted files (Docker/Kubernetes secrets) instead of the process environment.
"""

import os
import re
from pathlib import Path


def envstr(name: str, default: str = "") -> str:
    file_path = os.environ.get(f"{name}_FILE")
    if file_path:
        return Path(file_path).read_text(encoding="utf-8").strip()
    return os.environ.get(name, default)


def envbool(name: str, default: bool = False) -> bool:
    value = envstr(name, "")
    if value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def envint(name: str, default: int) -> int:
    value = envstr(name, "")
    return int(value) if value.strip() else default


def envlist(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in envstr(name, default).split(",") if item.strip()]


def envrate(name: str, default: str) -> str:
    """A request rate such as ``600/m`` (requests per s, m, h or d, as lib/ratelimit reads
    it), checked at start-up rather than on the first request; empty means no limit."""
    value = envstr(name, default).strip()
    if value and not re.fullmatch(r"[1-9]\d*/\d*[smhd]", value):
        raise RuntimeError(f"{name} must be a number of requests per s, m, h or d, such as 600/m, or empty")
    return value
