"""API tokens can be revoked at once, by their owner or a local administrator of their
authority; a revoked token, or one of a suspended authority, no longer works."""

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import reverse

from openimi.accounts.models import ApiToken
from openimi.directory.members import token_issue, token_revoke
from openimi.directory.models import Authority, AuthorityEvent


def _works(raw: str) -> bool:
    return Client(HTTP_AUTHORIZATION=f"Bearer {raw}").get("/api/v1/me").status_code == 200


def test_the_owner_revokes_a_token_from_the_profile(fr_handler, fr_authority, client_for):
    token, raw = token_issue(actor=fr_handler, authority=fr_authority, name="Registry sync")
    assert _works(raw)
    client = client_for(fr_handler)
    assert "Registry sync" in client.get(reverse("accounts:profile")).content.decode()
    response = client.post(reverse("directory:token_revoke", args=[token.pk]))
    assert response.status_code == 302
    assert not _works(raw)
    assert "Registry sync" not in client.get(reverse("accounts:profile")).content.decode()
    assert AuthorityEvent.objects.filter(authority=fr_authority, action="token_revoked").count() == 1


def test_nobody_else_revokes_it_but_a_local_administrator_of_its_authority(
    fr_handler, fr_admin, de_admin, fr_authority, client_for
):
    token, raw = token_issue(actor=fr_handler, authority=fr_authority, name="sync")
    assert client_for(de_admin).post(reverse("directory:token_revoke", args=[token.pk])).status_code == 404
    with pytest.raises(PermissionDenied):
        token_revoke(actor=de_admin, token=token)
    assert _works(raw)
    token_revoke(actor=fr_admin, token=token)
    assert not _works(raw) and ApiToken.objects.get(pk=token.pk).revoked_at is not None


def test_a_token_of_a_suspended_authority_no_longer_works(fr_handler, fr_authority):
    _token, raw = token_issue(actor=fr_handler, authority=fr_authority, name="sync")
    Authority.objects.filter(pk=fr_authority.pk).update(status="suspended")
    assert not _works(raw)
    Authority.objects.filter(pk=fr_authority.pk).update(status="active")
    assert _works(raw)
