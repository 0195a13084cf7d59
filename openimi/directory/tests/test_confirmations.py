"""Suspending an authority, removing a user and revoking an API token happen on confirmation
pages: GET states the consequence and changes nothing, the confirmed POST does it."""

from django.urls import reverse

from openimi.directory.members import token_issue
from openimi.directory.models import AuthorityStatus
from openimi.directory.workflow import STATUS_ACTIONS
from openimi.tests.factories import UserFactory, member


def test_suspension_is_confirmed_with_a_required_reason(client_for, fr_coordinator, fr_authority):
    assert next(t for t in STATUS_ACTIONS if t.name == "suspend").confirm
    client = client_for(fr_coordinator)
    url = reverse("directory:suspend", args=[fr_authority.pk])
    detail = client.get(reverse("directory:detail", args=[fr_authority.pk])).content.decode()
    assert f'href="{url}"' in detail and f'action="{url}"' not in detail
    page = client.get(url).content.decode()
    assert "until a coordinator reactivates it" in page or "Réactive" in page or "réactive" in page
    empty = client.post(url, {"reason": ""}).content.decode()
    assert "govuk-error-summary" in empty and 'href="#id_reason"' in empty and "govuk-form-group--error" in empty
    fr_authority.refresh_from_db()
    assert fr_authority.status == AuthorityStatus.ACTIVE
    assert client.post(url, {"reason": "Merged into another body"}).status_code == 302
    fr_authority.refresh_from_db()
    assert fr_authority.status == AuthorityStatus.SUSPENDED


def test_removing_a_user_is_confirmed(client_for, fr_admin, fr_handler, fr_authority):
    membership = fr_authority.memberships.get(user=fr_handler)
    client = client_for(fr_admin)
    url = reverse("directory:member_remove", args=[fr_authority.pk, membership.pk])
    assert url in client.get(reverse("directory:member_edit", args=[fr_authority.pk, membership.pk])).content.decode()
    assert fr_handler.full_name in client.get(url).content.decode()
    assert fr_authority.memberships.filter(user=fr_handler).exists()
    assert client.post(url).status_code == 302
    assert not fr_authority.memberships.filter(user=fr_handler).exists()


def test_the_last_administrator_gets_the_error_on_the_confirmation_page(client_for, fr_admin, fr_authority):
    other = UserFactory()
    member(other, fr_authority, "observer")
    membership = fr_authority.memberships.get(user=fr_admin)
    response = client_for(fr_admin).post(reverse("directory:member_remove", args=[fr_authority.pk, membership.pk]))
    assert response.status_code == 200 and "govuk-error-summary" in response.content.decode()
    assert fr_authority.memberships.filter(user=fr_admin).exists()


def test_revoking_a_token_is_confirmed(client_for, fr_handler, fr_authority):
    token, _raw = token_issue(actor=fr_handler, authority=fr_authority, name="Registry sync")
    client = client_for(fr_handler)
    url = reverse("directory:token_revoke", args=[token.pk])
    assert f'href="{url}"' in client.get(reverse("accounts:profile")).content.decode()
    assert "Registry sync" in client.get(url).content.decode()
    token.refresh_from_db()
    assert token.revoked_at is None
    client.post(url)
    token.refresh_from_db()
    assert token.revoked_at is not None
