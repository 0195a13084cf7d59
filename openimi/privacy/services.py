"""Append to the audit log (inside the caller's transaction) and verify its chain."""

import contextvars
import hashlib
import json

from django.db import transaction
from django.utils import timezone

from openimi.privacy.models import AuditEntry

GENESIS = "0" * 64
# Who is acting and from where, set per request by AuditContextMiddleware (services do not
# see the HTTP request).
current_ip: contextvars.ContextVar[str] = contextvars.ContextVar("openimi_audit_ip", default="")


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


def audit(*, actor, action: str, obj=None, authority_id: int | None = None, **data) -> AuditEntry:
    """Record one action or one display of personal data. Serialised on the last row so the
    chain stays linear under concurrency."""
    with transaction.atomic():
        last = AuditEntry.objects.select_for_update().order_by("-id").only("hash").first()
        prev_hash = last.hash if last else GENESIS
        entry = AuditEntry(
            at=timezone.now(),
            actor_id=getattr(actor, "pk", None),
            actor_email=getattr(actor, "email", "") or "",
            authority_id=authority_id,
            action=action[:64],
            object_type=obj._meta.label if obj is not None else "",
            object_id=str(obj.pk) if obj is not None else "",
            ip=current_ip.get()[:64],
            data=data,
            prev_hash=prev_hash,
        )
        entry.hash = _digest(prev_hash, entry)
        entry.save()
    return entry


def verify_chain() -> tuple[int, int | None]:
    """(rows checked, id of the first row that does not fit, or None when intact)."""
    prev_hash, checked = GENESIS, 0
    for entry in AuditEntry.objects.order_by("id").iterator(chunk_size=2000):
        entry.at = entry.at  # stored value, as hashed
        if entry.prev_hash != prev_hash or _digest(prev_hash, entry) != entry.hash:
            return checked, entry.pk
        prev_hash, checked = entry.hash, checked + 1
    return checked, None
