"""Security keys (WebAuthn through django-otp-webauthn) as a second factor: registered and
removed on the profile, used at sign-in after the password instead of the TOTP code.

A small software authenticator below answers the real challenges, so the library verifies real
signatures here; the browser test drives Chromium's virtual authenticator end to end."""

import hashlib
import json
import os
import re
import struct
from base64 import urlsafe_b64encode

import cbor2
import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp_webauthn.models import WebAuthnCredential

from conftest import PASSWORD
from openimi.accounts.services import security_key_remove
from openimi.privacy.models import AuditEntry

ORIGIN = "http://testserver"
BEGIN_SIGN_IN = reverse("otp_webauthn:credential-authentication-begin")
COMPLETE_SIGN_IN = reverse("otp_webauthn:credential-authentication-complete")
BEGIN_REGISTRATION = reverse("otp_webauthn:credential-registration-begin")
COMPLETE_REGISTRATION = reverse("otp_webauthn:credential-registration-complete")


def in_french(message: str) -> str:
    """What the French persona reads for ``message``."""
    with translation.override("fr"):
        return gettext(message)


@pytest.fixture(autouse=True)
def _relying_party(settings):
    settings.OTP_WEBAUTHN_RP_ID = "testserver"
    settings.OTP_WEBAUTHN_ALLOWED_ORIGINS = [ORIGIN]


def b64(data: bytes) -> str:
    return urlsafe_b64encode(data).rstrip(b"=").decode()


class SoftKey:
    """A security key in software: an ECDSA P-256 key pair that answers WebAuthn challenges."""

    def __init__(self, rp_id: str = "testserver"):
        self.private_key = ec.generate_private_key(ec.SECP256R1())
        self.credential_id = os.urandom(32)
        self.rp_id_hash = hashlib.sha256(rp_id.encode()).digest()
        self.sign_count = 0

    def _client_data(self, kind: str, options: dict) -> bytes:
        return json.dumps({"type": kind, "challenge": options["challenge"], "origin": ORIGIN}).encode()

    def register(self, options: dict) -> dict:
        numbers = self.private_key.public_key().public_numbers()
        cose_key = {1: 2, 3: -7, -1: 1, -2: numbers.x.to_bytes(32, "big"), -3: numbers.y.to_bytes(32, "big")}
        attested = bytes(16) + struct.pack(">H", len(self.credential_id)) + self.credential_id + cbor2.dumps(cose_key)
        auth_data = self.rp_id_hash + bytes([0x41]) + struct.pack(">I", 0) + attested  # user present, key data
        attestation = cbor2.dumps({"fmt": "none", "attStmt": {}, "authData": auth_data})
        return {
            "id": b64(self.credential_id),
            "rawId": b64(self.credential_id),
            "type": "public-key",
            "response": {
                "clientDataJSON": b64(self._client_data("webauthn.create", options)),
                "attestationObject": b64(attestation),
                "transports": ["usb"],
            },
            "clientExtensionResults": {"credProps": {"rk": False}},
        }

    def sign_in(self, options: dict) -> dict:
        self.sign_count += 1
        client_data = self._client_data("webauthn.get", options)
        auth_data = self.rp_id_hash + bytes([0x01]) + struct.pack(">I", self.sign_count)  # user present
        signature = self.private_key.sign(auth_data + hashlib.sha256(client_data).digest(), ec.ECDSA(hashes.SHA256()))
        return {
            "id": b64(self.credential_id),
            "rawId": b64(self.credential_id),
            "type": "public-key",
            "response": {
                "clientDataJSON": b64(client_data),
                "authenticatorData": b64(auth_data),
                "signature": b64(signature),
            },
            "clientExtensionResults": {},
        }


def _post_json(client: Client, url: str, data=None):
    return client.post(url, json.dumps(data) if data is not None else "", content_type="application/json")


def _register(client: Client) -> tuple[SoftKey, object]:
    """Run the registration ceremony from the profile page for the client's signed-in user."""
    key = SoftKey()
    options = _post_json(client, BEGIN_REGISTRATION).json()
    response = _post_json(client, COMPLETE_REGISTRATION, key.register(options))
    return key, response


def _key_for(user) -> tuple[SoftKey, WebAuthnCredential]:
    client = _verified_client(user, TOTPDevice.objects.create(user=user, name="setup", confirmed=True))
    key, response = _register(client)
    assert response.status_code == 200, response.content
    TOTPDevice.objects.filter(user=user, name="setup").delete()
    return key, WebAuthnCredential.objects.get(pk=response.json()["id"])


def _verified_client(user, device) -> Client:
    client = Client()
    client.force_login(user)
    session = client.session
    session["otp_device_id"] = device.persistent_id
    session.save()
    return client


def _password_step(client: Client, user):
    return client.post(reverse("accounts:login"), {"username": user.email, "password": PASSWORD})


def _sign_in_with(client: Client, key: SoftKey):
    options = _post_json(client, BEGIN_SIGN_IN).json()
    return _post_json(client, COMPLETE_SIGN_IN, key.sign_in(options))


# Registering and removing keys on the profile.


def test_registering_a_key_from_the_profile_is_stored_and_audited(client_for, fr_handler):
    client = client_for(fr_handler)
    key, response = _register(client)
    assert response.status_code == 200
    stored = WebAuthnCredential.objects.get(user=fr_handler)
    assert response.json() == {"id": stored.pk}
    assert stored.credential_id == key.credential_id
    assert AuditEntry.objects.filter(action="security_key.registered", actor_id=fr_handler.pk).count() == 1
    page = client.get(reverse("accounts:profile")).content.decode()
    assert page.count('data-testid="security-key"') == 1
    assert in_french("Your security key has been added.") in page


def test_a_wrong_registration_answer_stores_nothing(client_for, fr_handler):
    client = client_for(fr_handler)
    options = _post_json(client, BEGIN_REGISTRATION).json()
    answer = SoftKey().register({**options, "challenge": b64(b"another challenge")})
    response = _post_json(client, COMPLETE_REGISTRATION, answer)
    assert response.status_code == 422 and "detail" in response.json()
    assert not WebAuthnCredential.objects.exists()
    assert not AuditEntry.objects.filter(action="security_key.registered").exists()


def test_a_tampered_unsigned_part_of_a_registration_is_an_error_not_a_crash(client_for, fr_handler):
    client = client_for(fr_handler)
    options = _post_json(client, BEGIN_REGISTRATION).json()
    answer = {**SoftKey().register(options), "clientExtensionResults": {"credProps": 5}}
    response = _post_json(client, COMPLETE_REGISTRATION, answer)
    assert response.status_code == 422 and "detail" in response.json()
    assert not WebAuthnCredential.objects.exists()


def test_registering_needs_a_session_that_passed_its_second_factor(fr_handler):
    TOTPDevice.objects.create(user=fr_handler, name="phone", confirmed=True)
    client = Client()
    client.force_login(fr_handler)  # password only
    response = _post_json(client, BEGIN_REGISTRATION)
    # Refused by the library (403), or the session ended by SecondFactorRequiredMiddleware (302).
    assert response.status_code in (302, 403)
    assert "otp_webauthn_register_state" not in client.session


def test_profile_lists_only_your_own_keys(client_for, fr_handler, de_handler):
    _key_for(fr_handler)
    _key_for(fr_handler)
    _key_for(de_handler)
    page = client_for(de_handler).get(reverse("accounts:profile")).content.decode()
    assert page.count('data-testid="security-key"') == 1
    mine = WebAuthnCredential.objects.get(user=de_handler)
    assert reverse("accounts:security_key_remove", args=[mine.pk]) in page
    for other in WebAuthnCredential.objects.filter(user=fr_handler):
        assert reverse("accounts:security_key_remove", args=[other.pk]) not in page


def test_another_user_cannot_remove_your_key(client_for, fr_handler, de_handler):
    _key, stored = _key_for(fr_handler)
    client = client_for(de_handler)
    url = reverse("accounts:security_key_remove", args=[stored.pk])
    assert client.get(url).status_code == 404
    assert client.post(url).status_code == 404
    assert WebAuthnCredential.objects.filter(pk=stored.pk).exists()


def test_the_remove_service_refuses_someone_elses_key(fr_handler, de_handler):
    _key, stored = _key_for(fr_handler)
    with pytest.raises(PermissionDenied):
        security_key_remove(actor=de_handler, key=stored)
    assert WebAuthnCredential.objects.filter(pk=stored.pk).exists()


def test_removing_your_key_is_confirmed_and_audited(client_for, fr_handler):
    _key, stored = _key_for(fr_handler)
    client = client_for(fr_handler)  # also has an authenticator app
    url = reverse("accounts:security_key_remove", args=[stored.pk])
    page = client.get(url)
    assert page.status_code == 200 and in_french("Remove security key") in page.content.decode()
    response = client.post(url)
    assert response.status_code == 302 and response.url == reverse("accounts:profile")
    assert not WebAuthnCredential.objects.filter(pk=stored.pk).exists()
    entry = AuditEntry.objects.get(action="security_key.removed")
    assert entry.actor_id == fr_handler.pk and entry.object_id == str(stored.pk)


def test_your_last_second_factor_cannot_be_removed(fr_handler):
    _key, stored = _key_for(fr_handler)  # the only second factor
    client = _verified_client(fr_handler, stored)
    response = client.post(reverse("accounts:security_key_remove", args=[stored.pk]))
    assert response.status_code == 400
    only = "This is your only second factor, so it cannot be removed. Add another security key first."
    assert in_french(only).replace("'", "&#x27;") in response.content.decode()
    assert WebAuthnCredential.objects.filter(pk=stored.pk).exists()


# Signing in with a key after the password.


def test_password_then_security_key_signs_in(fr_handler):
    key, stored = _key_for(fr_handler)
    TOTPDevice.objects.create(user=fr_handler, name="phone", confirmed=True)
    client = Client()
    assert _password_step(client, fr_handler).url == reverse("accounts:verify")
    page = client.get(reverse("accounts:verify")).content.decode()
    assert 'id="passkey-verification-button"' in page and 'id="id_otp_token"' in page  # both offered
    response = _sign_in_with(client, key)
    assert response.status_code == 200, response.content
    assert response.json() == {"id": stored.pk, "redirect_url": "/"}
    assert client.session["otp_device_id"] == stored.persistent_id
    assert client.get(reverse("directory:list")).status_code == 200
    assert client.cookies["django_language"].value == "fr"
    stored.refresh_from_db()
    assert stored.last_used_at is not None and stored.sign_count == 1


def test_sign_in_goes_back_to_the_page_asked_for(fr_handler):
    key, _stored = _key_for(fr_handler)
    client = Client()
    client.post(reverse("accounts:login") + "?next=/directory/", {"username": fr_handler.email, "password": PASSWORD})
    assert _sign_in_with(client, key).json()["redirect_url"] == "/directory/"


def test_a_user_with_only_a_security_key_is_sent_to_the_second_factor_page(fr_handler):
    _key_for(fr_handler)
    client = Client()
    assert _password_step(client, fr_handler).url == reverse("accounts:verify")
    assert client.get(reverse("accounts:setup")).url == reverse("accounts:verify")
    page = client.get(reverse("accounts:verify")).content.decode()
    assert 'id="passkey-verification-button"' in page and "id_otp_token" not in page
    assert "_auth_user_id" not in client.session
    assert client.get(reverse("directory:list")).status_code == 302


def test_an_unverified_session_with_only_a_security_key_is_refused(fr_handler):
    _key_for(fr_handler)
    client = Client()
    client.force_login(fr_handler)
    response = client.get(reverse("directory:list"))
    assert response.status_code == 302 and response.url == reverse("accounts:login")
    assert "_auth_user_id" not in client.session


def test_no_sign_in_with_a_key_alone(fr_handler):
    key, _stored = _key_for(fr_handler)
    client = Client()
    response = _post_json(client, BEGIN_SIGN_IN)
    assert response.status_code == 403
    response = _post_json(client, COMPLETE_SIGN_IN, key.sign_in({"challenge": b64(b"x" * 32)}))
    assert response.status_code == 403
    assert "_auth_user_id" not in client.session


def test_sign_in_offers_only_the_users_own_keys(fr_handler, de_handler):
    _key, stored = _key_for(fr_handler)
    _key_for(de_handler)
    client = Client()
    _password_step(client, fr_handler)
    options = _post_json(client, BEGIN_SIGN_IN).json()
    assert [c["id"] for c in options["allowCredentials"]] == [b64(stored.credential_id)]


def test_another_users_key_does_not_sign_you_in(fr_handler, de_handler):
    _key_for(fr_handler)
    de_key, _ = _key_for(de_handler)
    client = Client()
    _password_step(client, fr_handler)
    response = _sign_in_with(client, de_key)
    assert response.status_code == 403
    assert "_auth_user_id" not in client.session


def test_a_replayed_answer_is_refused(fr_handler):
    key, _stored = _key_for(fr_handler)
    client = Client()
    _password_step(client, fr_handler)
    options = _post_json(client, BEGIN_SIGN_IN).json()
    answer = key.sign_in(options)
    assert _post_json(client, COMPLETE_SIGN_IN, answer).status_code == 200
    other = Client()
    _password_step(other, fr_handler)
    _post_json(other, BEGIN_SIGN_IN)
    assert _post_json(other, COMPLETE_SIGN_IN, answer).status_code == 422  # another challenge
    assert _post_json(other, COMPLETE_SIGN_IN, answer).status_code == 400  # the challenge is used up
    assert "_auth_user_id" not in other.session


def test_failed_key_attempts_count_towards_the_lockout(fr_handler):
    _key_for(fr_handler)
    client = Client()
    _password_step(client, fr_handler)
    for _ in range(5):
        _post_json(client, BEGIN_SIGN_IN)
        response = _post_json(client, COMPLETE_SIGN_IN, SoftKey().sign_in({"challenge": b64(b"x" * 32)}))
    assert response.status_code == 429
    assert "too many failed attempts" in response.json()["detail"]
    assert "_auth_user_id" not in client.session
    # The sign-in in progress is over, and the right password is refused while the lockout lasts.
    assert _post_json(client, BEGIN_SIGN_IN).status_code == 403
    assert _password_step(client, fr_handler).status_code == 429
    assert _post_json(client, BEGIN_SIGN_IN).status_code == 403
    assert "_auth_user_id" not in client.session


MALFORMED = [
    b"",
    b"not json",
    b"[]",
    b'"a string"',
    b"12",
    b"{}",
    b'{"id": 1}',
    json.dumps({"id": "!!", "rawId": "***", "type": "public-key", "response": {}}).encode(),
    json.dumps(
        {
            "id": "AA",
            "rawId": "AA",
            "type": "public-key",
            "response": {"clientDataJSON": "%%%", "authenticatorData": "é", "signature": "", "attestationObject": "@"},
        }
    ).encode(),
    json.dumps(
        {
            "id": "AA",
            "rawId": "AA",
            "type": "public-key",
            "response": {"clientDataJSON": b64(b"{]"), "authenticatorData": "AA", "signature": "AA"},
        }
    ).encode(),
]


@pytest.mark.parametrize("body", MALFORMED)
def test_malformed_answers_are_json_errors_not_crashes(fr_handler, body):
    _key_for(fr_handler)
    signing_in = Client()
    _password_step(signing_in, fr_handler)
    _post_json(signing_in, BEGIN_SIGN_IN)
    registering = _verified_client(fr_handler, TOTPDevice.objects.create(user=fr_handler, name="m", confirmed=True))
    _post_json(registering, BEGIN_REGISTRATION)
    for client, url in [(signing_in, COMPLETE_SIGN_IN), (registering, COMPLETE_REGISTRATION)]:
        response = client.post(url, body, content_type="application/json")
        assert 400 <= response.status_code < 500, (url, response.status_code)
        assert "detail" in response.json()
    form = signing_in.post(COMPLETE_SIGN_IN, {"id": "x"})
    assert 400 <= form.status_code < 500


def test_security_key_pages_run_no_inline_script(client_for, fr_handler):
    _key, stored = _key_for(fr_handler)
    client = Client()
    _password_step(client, fr_handler)
    pages = [
        client.get(reverse("accounts:verify")).content.decode(),
        client_for(fr_handler).get(reverse("accounts:profile")).content.decode(),
    ]
    for page in pages:
        scripts = re.findall(r"<script([^>]*)>", page)
        assert any("otp_webauthn" in attributes for attributes in scripts)
        for attributes in scripts:
            # Only external scripts, and the library's configuration as inert JSON data.
            assert " src=" in attributes or 'type="application/json"' in attributes, attributes
        assert 'id="otp_webauthn_config"' in page
