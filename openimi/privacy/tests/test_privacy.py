"""Personal data is declared in one place; the audit log is append-only and tamper-evident."""

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction
from django.urls import reverse

from openimi.exchanges.services import request_act, request_create
from openimi.exchanges.tests.test_workflow import draft_data
from openimi.privacy.audit import audit, verify_chain
from openimi.privacy.models import AuditEntry
from openimi.privacy.personal_data import CLASSIFICATION, NONE, SUBJECT, USER


def test_every_field_of_every_model_is_classified():
    unclassified = []
    for model in apps.get_models():
        if not model.__module__.startswith("openimi."):
            continue
        declared = CLASSIFICATION.get(model._meta.label, {})
        unclassified += [f"{model._meta.label}.{f.name}" for f in model._meta.concrete_fields if f.name not in declared]
    assert unclassified == []


def test_the_declaration_names_only_real_fields_and_known_categories():
    for label, fields in CLASSIFICATION.items():
        model = apps.get_model(label)
        names = {f.name for f in model._meta.concrete_fields}
        assert set(fields) <= names, label
        assert set(fields.values()) <= {SUBJECT, USER, NONE}


def test_subject_fields_of_requests_are_declared_personal():
    declared = CLASSIFICATION["exchanges.InformationRequest"]
    assert {"subject_name", "subject_identifiers", "subject_address", "subject_birth_date"} <= {
        f for f, kind in declared.items() if kind == SUBJECT
    }


def test_actions_and_views_of_personal_data_are_audited(client_for, fr_handler, fr_authority, de_authority, de_handler):
    r = request_create(actor=fr_handler, requester=fr_authority, data=draft_data(de_authority))
    request_act(actor=fr_handler, request=r, action="submit")
    client_for(de_handler).get(reverse("exchanges:detail", args=[r.pk]), REMOTE_ADDR="192.0.2.7")
    actions = list(AuditEntry.objects.values_list("action", flat=True))
    assert actions[-3:] == ["request.created", "request.submit", "personal_data.view"]
    view = AuditEntry.objects.last()
    assert (view.actor_email, view.ip, view.object_id) == (de_handler.email, "192.0.2.7", str(r.pk))


def test_the_chain_verifies_and_names_the_first_tampered_row(db, fr_handler, capsys):
    for i in range(5):
        audit(actor=fr_handler, action="test.action", step=i)
    assert verify_chain() == (AuditEntry.objects.count(), None)
    victim = AuditEntry.objects.order_by("id")[2]
    with connection.cursor() as cursor:  # an attacker with direct database access
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE privacy_auditentry DISABLE TRIGGER USER")
        else:
            cursor.execute("DROP TRIGGER privacy_auditentry_no_update")
        cursor.execute("UPDATE privacy_auditentry SET action = 'test.forged' WHERE id = %s", [victim.pk])
    checked, broken = verify_chain()
    assert broken == victim.pk
    with pytest.raises(SystemExit):
        call_command("audit_verify")
    assert f"broken at entry {victim.pk}" in capsys.readouterr().out


def test_the_database_refuses_to_change_audit_rows(db, fr_handler):
    entry = audit(actor=fr_handler, action="test.action")
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEntry.objects.filter(pk=entry.pk).update(action="changed")
    if connection.vendor == "postgresql":
        with pytest.raises(DatabaseError), transaction.atomic():
            AuditEntry.objects.filter(pk=entry.pk).delete()
    assert AuditEntry.objects.get(pk=entry.pk).action == "test.action"
