"""The audit log's one writer and its verifier: a leaf module (models only), so that every app
can record an action without importing the privacy services.

The log is a hash chain. Each entry's hash covers its content and the previous entry's hash.
Writers chain onto the hash kept in the single ``AuditHead`` row, which they lock: on
PostgreSQL a writer that waited for that lock reads the head as the previous writer committed
it (READ COMMITTED re-reads a row locked with ``FOR UPDATE``), so no two entries can take the
same predecessor; ``prev_hash`` is unique as well, so a fork is refused by the database rather
than merely unlikely. SQLite's IMMEDIATE transactions serialise writers anyway.

The head is locked only from the moment the entry is written, so callers should audit as
the last write of their transaction: the lock is then held for the insert and the commit.
"""

import contextvars
import hashlib
import json
from dataclasses import dataclass

from django.db import IntegrityError, connections, router, transaction
from django.utils import timezone

from openimi.privacy.models import AuditEntry, AuditHead

GENESIS = "0" * 64
# The client's address for the HTTP request being served, set by AuditContextMiddleware
# (services do not see the HTTP request).
current_ip: contextvars.ContextVar[str] = contextvars.ContextVar("openimi_audit_ip", default="")


def client_address() -> str:
    """The address recorded with entries written while serving the current HTTP request."""
    return current_ip.get()[:64]


def _digest(prev_hash: str, entry: AuditEntry) -> str:
    payload = json.dumps(
        {
            "at": entry.at.isoformat(),
            "actor_id": entry.actor_id,
            "actor_email": entry.actor_email,
            "authority_id": entry.authority_id,
            "action": entry.action,
            "object_type": entry.object_type,
            "object_id": entry.object_id,
            "ip": entry.ip,
            "data": entry.data,
        },
        sort_keys=True,
        separators=(",", ":"),
        default=str,
    )
    return hashlib.sha256(f"{prev_hash}{payload}".encode()).hexdigest()


def _locked_head() -> AuditHead:
    """The head row, locked until the caller's transaction ends. Created on first use (and
    after a test flush) from the last entry, so an existing chain goes on where it stopped."""
    # No LIMIT: the key is unique (and LIMIT makes the planner weigh a plan for nothing).
    found = list(AuditHead.objects.select_for_update().filter(pk=AuditHead.SINGLETON))
    if found:
        return found[0]
    last = AuditEntry.objects.order_by("-id").only("hash").first()
    try:
        with transaction.atomic():
            return AuditHead.objects.create(pk=AuditHead.SINGLETON, hash=last.hash if last else GENESIS)
    except IntegrityError:
        # Another writer created it first; its row is committed now, and ours waits for it.
        return AuditHead.objects.select_for_update().get(pk=AuditHead.SINGLETON)


def audit(*, actor, action: str, obj=None, authority_id: int | None = None, **data) -> AuditEntry:
    """Record one action or one display of personal data, inside the caller's transaction:
    if the change it records rolls back, so does the entry (and the reverse). No savepoint of
    its own: an entry that fails to write fails the caller's transaction with it."""
    with transaction.atomic(savepoint=False):
        head = _locked_head()
        entry = AuditEntry(
            at=timezone.now(),
            actor_id=getattr(actor, "pk", None),
            actor_email=getattr(actor, "email", "") or "",
            authority_id=authority_id,
            action=action[:64],
            object_type=obj._meta.label if obj is not None else "",
            object_id=str(obj.pk) if obj is not None else "",
            ip=client_address(),
            data=data,
            prev_hash=head.hash,
        )
        entry.hash = _digest(head.hash, entry)
        connection = connections[router.db_for_write(AuditEntry)]
        if connection.vendor == "postgresql":
            _insert_and_move_head(connection, entry)
        else:
            entry.save()
            AuditHead.objects.filter(pk=head.pk).update(hash=entry.hash)
    return entry


def _insert_and_move_head(connection, entry: AuditEntry) -> None:
    """PostgreSQL: the entry and the head's new hash in one statement (a data-modifying CTE),
    one round trip less while the head is locked."""
    fields = [f for f in AuditEntry._meta.concrete_fields if not f.primary_key]
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    values = [f.get_db_prep_save(getattr(entry, f.attname), connection) for f in fields]
    entries, heads = (connection.ops.quote_name(m._meta.db_table) for m in (AuditEntry, AuditHead))
    placeholders = ", ".join(["%s"] * len(values))
    sql = (
        f"WITH inserted AS (INSERT INTO {entries} ({columns}) VALUES ({placeholders}) RETURNING id) "  # noqa: S608 - names are ours, values are parameters
        f"UPDATE {heads} SET hash = %s WHERE id = %s RETURNING (SELECT id FROM inserted)"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*values, entry.hash, AuditHead.SINGLETON])
        entry.pk = cursor.fetchone()[0]
    entry._state.adding = False
    entry._state.db = connection.alias


@dataclass(frozen=True)
class ChainReport:
    checked: int
    broken_at: int | None  # id of the first entry that does not fit, None when intact
    tail_intact: bool  # the last entry is the one the head names (no entry removed at the end)


def verify_chain(*, progress=None, chunk_size: int = 5000) -> tuple[int, int | None]:
    """(entries checked, id of the first entry that does not fit, or None when intact)."""
    report = verify(progress=progress, chunk_size=chunk_size)
    return report.checked, report.broken_at


def verify(*, progress=None, chunk_size: int = 5000) -> ChainReport:
    """Walk the whole log in id order; ``progress(checked)`` is called after every chunk."""
    prev_hash, checked = GENESIS, 0
    for entry in AuditEntry.objects.order_by("id").iterator(chunk_size=chunk_size):
        if entry.prev_hash != prev_hash or _digest(prev_hash, entry) != entry.hash:
            return ChainReport(checked, entry.pk, tail_intact=False)
        prev_hash, checked = entry.hash, checked + 1
        if progress is not None and checked % chunk_size == 0:
            progress(checked)
    head = AuditHead.objects.filter(pk=AuditHead.SINGLETON).values_list("hash", flat=True).first()
    return ChainReport(checked, None, tail_intact=head is None and checked == 0 or head == prev_hash)
