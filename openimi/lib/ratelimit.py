"""Request-rate limits: fixed-window counters in a database table that every process
shares (``openimi_rate_counter``, made by the accounts migrations).

One counter row per key, reused from one window to the next. Counting is a single
INSERT … ON CONFLICT … RETURNING statement (PostgreSQL, and SQLite since 3.35), atomic on
both, so racing processes lose no increment and an API call pays one query, not the three
transactions and two table counts of Django's database cache."""

import hashlib
import ipaddress
import re
import time

from django.conf import settings
from django.db import connection
from django.http import HttpRequest

TABLE = "openimi_rate_counter"
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
_RATE = re.compile(r"^(\d+)/(\d*)([smhd])$")
# The table name is a constant of ours, not input.
_COUNT = (
    f"INSERT INTO {TABLE} (counter_key, window_end, hits) VALUES (%s, %s, 1) "  # noqa: S608
    f"ON CONFLICT (counter_key) DO UPDATE SET "
    f"hits = CASE WHEN {TABLE}.window_end = excluded.window_end THEN {TABLE}.hits + 1 ELSE 1 END, "
    f"window_end = excluded.window_end RETURNING hits"
)


def parse_rate(rate: str) -> tuple[int, int]:
    """``"600/m"`` → (600, 60); ``"5/10m"`` → (5, 600). ValueError for anything else."""
    match = _RATE.match(rate.strip())
    if not match:
        raise ValueError(f"not a rate: {rate!r}")
    count, multiplier, unit = match.groups()
    return int(count), int(multiplier or 1) * _UNITS[unit]


def seconds_to_wait(request: HttpRequest, *, group: str, key: str, rate: str) -> int | None:
    """Count this request against ``rate`` (e.g. ``"600/m"``) for ``key`` within ``group``.

    None while within the limit (or when ``rate`` is empty: no limit); otherwise the seconds
    until the current window ends, for a Retry-After header."""
    if not rate:
        return None
    limit, period = parse_rate(rate)
    now = int(time.time())
    window_end = (now // period + 1) * period
    # Hashed: keys hold client addresses, which need not be kept readable.
    counter_key = hashlib.sha256(f"{group}\x00{key}\x00{rate}".encode()).hexdigest()
    with connection.cursor() as cursor:
        cursor.execute(_COUNT, [counter_key, window_end])
        (hits,) = cursor.fetchone()
    if hits <= limit:
        return None
    return max(1, window_end - now)


def prune(now: int | None = None) -> int:
    """Remove counters whose window ended more than a day ago (run daily)."""
    cutoff = (now or int(time.time())) - 86400
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {TABLE} WHERE window_end < %s", [cutoff])  # noqa: S608 - constant table name
        return int(cursor.rowcount)


def request_address(request: HttpRequest) -> str:
    """The client's address: REMOTE_ADDR, or behind the TLS proxy (BEHIND_TLS_PROXY) the last
    X-Forwarded-For entry, the one that proxy appended; entries before it are whatever the
    client sent."""
    address: str = request.META.get("REMOTE_ADDR", "")
    if settings.SECURE_PROXY_SSL_HEADER:
        address = request.META.get("HTTP_X_FORWARDED_FOR", "").rsplit(",", 1)[-1].strip() or address
    return address[:64]


def client_address(request: HttpRequest) -> str:
    """Who is asking, for per-address limits: the client's address, an IPv6 address counting
    as its /64 network, which one subscriber usually holds whole."""
    address = request_address(request)
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address
    if ip.version == 6:
        return str(ipaddress.ip_network(f"{ip}/64", strict=False).network_address)
    return str(ip)
