"""The audit chain stays one line under concurrent writers, and refuses a fork outright."""

import threading

import pytest
from django.core.management import call_command
from django.db import IntegrityError, connection, connections, transaction

from openimi.directory.models import AuthorityEvent
from openimi.privacy import audit as audit_module
from openimi.privacy.audit import audit, verify, verify_chain
from openimi.privacy.models import AuditEntry, AuditHead

WRITERS, ENTRIES_EACH = 8, 40


@pytest.mark.serial
@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_build_one_unbroken_chain(reference_data, fr_handler, fr_authority):
    barrier = threading.Barrier(WRITERS)
    errors: list[BaseException] = []

    def write(writer: int) -> None:
        try:
            barrier.wait()
            for i in range(ENTRIES_EACH):
                # Each entry in its own transaction, next to the change it records, as services do.
                with transaction.atomic():
                    AuthorityEvent.objects.create(authority=fr_authority, actor=fr_handler, action="test")
                    audit(actor=fr_handler, action="test.concurrent", writer=writer, step=i)
        except BaseException as exc:  # noqa: BLE001 - reported by the main thread
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=write, args=(n,)) for n in range(WRITERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    total = WRITERS * ENTRIES_EACH
    assert AuditEntry.objects.count() == total
    assert AuditEntry.objects.values("prev_hash").distinct().count() == total
    report = verify()
    assert (report.checked, report.broken_at, report.tail_intact) == (total, None, True)
    assert AuditHead.objects.get().hash == AuditEntry.objects.order_by("-id").first().hash


def test_an_entry_chained_onto_a_taken_predecessor_is_refused(db, fr_handler):
    first = audit(actor=fr_handler, action="test.one")
    audit(actor=fr_handler, action="test.two")
    fork = AuditEntry(action="test.fork", prev_hash=first.hash, hash="f" * 64, at=first.at)
    with pytest.raises(IntegrityError), transaction.atomic():
        fork.save()
    assert verify_chain() == (2, None)


def test_an_audit_write_that_fails_rolls_back_the_change_it_records(db, fr_handler, fr_authority, monkeypatch):
    first = audit(actor=fr_handler, action="test.ok")
    # The database itself refuses the next entry: its hash is already taken.
    monkeypatch.setattr(audit_module, "_digest", lambda prev_hash, entry: first.hash)
    with pytest.raises(IntegrityError), transaction.atomic():
        AuthorityEvent.objects.create(authority=fr_authority, actor=fr_handler, action="test")
        audit(actor=fr_handler, action="test.fails")
    assert not AuthorityEvent.objects.filter(action="test").exists()
    assert list(AuditEntry.objects.values_list("action", flat=True)) == ["test.ok"]
    assert AuditHead.objects.get().hash == first.hash


def test_the_chain_goes_on_from_the_last_entry_when_the_head_is_missing(db, fr_handler):
    first = audit(actor=fr_handler, action="test.one")
    AuditHead.objects.all().delete()
    second = audit(actor=fr_handler, action="test.two")
    assert second.prev_hash == first.hash
    assert verify_chain() == (2, None)


def test_removing_the_last_entries_is_reported(db, fr_handler, capsys):
    for i in range(3):
        audit(actor=fr_handler, action="test.action", step=i)
    last = AuditEntry.objects.order_by("-id").first()
    with connection.cursor() as cursor:  # an attacker with direct database access
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE privacy_auditentry DISABLE TRIGGER USER")
        cursor.execute("DELETE FROM privacy_auditentry WHERE id = %s", [last.pk])
    report = verify()
    assert (report.checked, report.broken_at, report.tail_intact) == (2, None, False)
    with pytest.raises(SystemExit):
        call_command("audit_verify")
    assert "broken at its end" in capsys.readouterr().out
