"""The authority's history: every change to an authority, its members or its tokens is an
``AuthorityEvent`` and an audit entry."""

from openimi.directory.models import Authority, AuthorityEvent
from openimi.privacy.audit import audit


def record(authority: Authority, actor, action: str, **data) -> AuthorityEvent:
    event = AuthorityEvent.objects.create(authority=authority, actor=actor, action=action, data=data)
    # Last write of the transaction: the audit head stays locked only for the insert and commit.
    audit(actor=actor, action=f"authority.{action}", obj=authority, authority_id=authority.pk)
    return event
