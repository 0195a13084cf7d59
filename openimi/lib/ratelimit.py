"""Request-rate limits: django-ratelimit's fixed-window counters, kept in a cache that every
process shares (settings.RATELIMIT_USE_CACHE, the database by default)."""

import ipaddress

from django.conf import settings
from django.core.cache.backends.db import DatabaseCache as DjangoDatabaseCache
from django.db import connections, router, transaction
from django_ratelimit.core import get_usage


def seconds_to_wait(request, *, group: str, key: str, rate: str) -> int | None:
    """Count this request against ``rate`` (e.g. ``"600/m"``) for ``key`` within ``group``.

    None while within the limit (or when ``rate`` is empty: no limit); otherwise the seconds
    until the current window ends, for a Retry-After header."""
    if not rate:
        return None
    usage = get_usage(request, group=group, key=lambda _group, _request: key, rate=rate, increment=True)
    if usage is None or not usage["should_limit"]:
        return None
    # A counter the cache could not read or write comes back with time_left -1: refused, as
    # django-ratelimit does by default, and worth trying again at once.
    return max(1, usage["time_left"])


def request_address(request) -> str:
    """The client's address: REMOTE_ADDR, or behind the TLS proxy (BEHIND_TLS_PROXY) the last
    X-Forwarded-For entry, the one that proxy appended; entries before it are whatever the
    client sent."""
    address = request.META.get("REMOTE_ADDR", "")
    if settings.SECURE_PROXY_SSL_HEADER:
        address = request.META.get("HTTP_X_FORWARDED_FOR", "").rsplit(",", 1)[-1].strip() or address
    return address[:64]


def client_address(request) -> str:
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


class DatabaseCache(DjangoDatabaseCache):
    """Django's database cache with an increment that loses nothing when processes race.

    Django's own ``incr`` reads, then writes, so two processes can both write n+1. Here the
    read and the write share one transaction that holds the row: SELECT … FOR UPDATE on
    PostgreSQL; on SQLite, OpenIMI's IMMEDIATE transactions take the write lock at BEGIN."""

    def incr(self, key, delta=1, version=None):
        db = router.db_for_write(self.cache_model_class)
        connection = connections[db]
        with transaction.atomic(using=db):
            if connection.features.has_select_for_update:
                quote = connection.ops.quote_name
                with connection.cursor() as cursor:
                    cursor.execute(
                        # Only identifiers are formatted in: the table named in settings, quoted.
                        f"SELECT {quote('cache_key')} FROM {quote(self._table)} "  # noqa: S608
                        f"WHERE {quote('cache_key')} = %s FOR UPDATE",
                        [self.make_and_validate_key(key, version=version)],
                    )
            return super().incr(key, delta, version)
