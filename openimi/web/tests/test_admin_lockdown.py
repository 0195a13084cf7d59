"""The Django admin is a break-glass tool only: no personal data, no exchange content, no
secrets, no way to give oneself a membership, and every sign-in and change in the audit log.
The operator is an ordinary account with OpenIMI's own pages and never reaches the admin."""

import pytest
from django.contrib import admin
from django.test import Client
from django.urls import reverse

from openimi.core.models import LegalArea
from openimi.privacy.models import AuditEntry
from openimi.privacy.personal_data import CLASSIFICATION, NONE
from openimi.tests.factories import UserFactory

SECRET_WORDS = ("password", "digest", "key", "secret", "token", "hash", "otp")


@pytest.fixture
def break_glass(db):
    return UserFactory(email="root@openimi.example", full_name="Break Glass", is_staff=True, is_superuser=True)


def admin_models():
    for model, model_admin in admin.site._registry.items():
        yield model
        for inline in model_admin.inlines:
            yield inline.model


def visible_fields(request):
    """(model label, field names) for every change form, inline and list of the admin."""
    for model, model_admin in admin.site._registry.items():
        listed = [*model_admin.list_display, *model_admin.search_fields, *model_admin.list_filter]
        yield model._meta.label, {*model_admin.get_fields(request), *(f for f in listed if isinstance(f, str))}
        for inline in model_admin.get_inline_instances(request):
            yield inline.model._meta.label, set(inline.get_fields(request))


def test_no_model_on_the_admin_shows_personal_data_or_secrets(rf, break_glass):
    request = rf.get("/admin/")
    request.user = break_glass
    for label, fields in visible_fields(request):
        assert label in CLASSIFICATION, f"{label} is on the admin but not classified"
        fields = {name.split("__")[0] for name in fields}
        personal = sorted(name for name in fields if CLASSIFICATION[label].get(name, NONE) != NONE)
        assert not personal, f"{label} shows personal data on the admin: {personal}"
        secret = sorted(name for name in fields if any(word in name.lower() for word in SECRET_WORDS))
        assert not secret, f"{label} shows secret fields on the admin: {secret}"


def test_third_party_and_exchange_models_are_off_the_admin():
    labels = {model._meta.label for model in admin_models()}
    for label in (
        "accounts.User",
        "accounts.Membership",
        "accounts.ApiToken",
        "otp_totp.TOTPDevice",
        "django_otp_webauthn.WebAuthnCredential",
        "django_tasks_db.DBTaskResult",
        "axes.AccessAttempt",
        "axes.AccessLog",
        "privacy.AuditEntry",
        "privacy.SubjectRequest",
        "exchanges.InformationRequest",
        "directory.AuthorityEvent",
        "auth.Group",
    ):
        assert label not in labels


def test_the_break_glass_account_cannot_create_memberships(client_for, break_glass):
    client = client_for(break_glass)
    assert client.get("/admin/").status_code == 200
    assert client.get("/admin/accounts/membership/add/").status_code == 404
    assert client.get("/admin/django_tasks_database/dbtaskresult/").status_code == 404
    assert client.get("/admin/otp_totp/totpdevice/").status_code == 404


def test_the_operator_and_other_users_get_no_admin(client_for, operator, fr_admin):
    for user in (operator, fr_admin):
        client = client_for(user)
        assert client.get("/admin/").status_code == 404
        assert client.get("/admin/core/legalarea/").status_code == 404
        assert client.post("/admin/accounts/membership/add/", {}).status_code == 404


def test_the_admin_wants_a_verified_second_factor_even_in_demo_mode(settings, break_glass):
    settings.DEMO_MODE = True
    break_glass.is_demo = True
    break_glass.save()
    client = Client()
    client.force_login(break_glass)
    assert client.get("/admin/").status_code == 404


def test_admin_sign_in_and_changes_are_audited(client_for, break_glass):
    client = client_for(break_glass)
    client.get("/admin/")
    client.get("/admin/core/legalarea/")
    assert list(AuditEntry.objects.filter(actor_id=break_glass.pk).values_list("action", flat=True)) == [
        "admin.signed_in"
    ]
    area = LegalArea.objects.get(code="services")
    response = client.get(f"/admin/core/legalarea/{area.pk}/change/")
    assert response.status_code == 200
    data = {
        "code": "services",
        "names": '{"en": "Services"}',
        "descriptions": '{"en": "Services to businesses"}',
        "is_active": "on",
        "acceptance_days": 9,
        "retention_block_months": 6,
        "escalation_days": 7,
    }
    response = client.post(f"/admin/core/legalarea/{area.pk}/change/", data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    entry = AuditEntry.objects.get(action="admin.changed")
    assert entry.actor_id == break_glass.pk and entry.object_type == "core.LegalArea" and entry.object_id == "services"


def test_directory_data_is_read_only_on_the_admin(client_for, break_glass, fr_authority):
    client = client_for(break_glass)
    assert client.get(f"/admin/directory/authority/{fr_authority.pk}/change/").status_code == 200
    assert client.get("/admin/directory/authority/add/").status_code == 403
    response = client.post(f"/admin/directory/authority/{fr_authority.pk}/delete/", {"post": "yes"})
    assert response.status_code == 403


def test_the_admin_sign_in_page_is_openimis_two_factor_sign_in(db):
    response = Client().get("/admin/")
    assert response.status_code == 302
    assert Client().get(response.url).url.startswith(reverse("accounts:login"))
