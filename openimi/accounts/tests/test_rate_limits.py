"""The request rate of sign-in POSTs per address (SIGN_IN_RATE_LIMIT): beyond it a 429 page in
the reader's language, whatever the credentials. Lockout after failures is django-axes' job,
tested in test_sign_in.py."""

import pytest
from axes.models import AccessAttempt
from django.test import Client
from django.urls import reverse

from conftest import PASSWORD
from openimi.accounts.tests.test_sign_in import _device

ADDRESS = "203.0.113.7"


@pytest.fixture(autouse=True)
def low_sign_in_limit(settings):
    settings.SIGN_IN_RATE_LIMIT = "3/m"  # below axes' 5 failures, so the lockout stays out of it


def sign_in(client: Client, user, password=PASSWORD, address=ADDRESS, **extra):
    return client.post(
        reverse("accounts:login"), {"username": user.email, "password": password}, REMOTE_ADDR=address, **extra
    )


def test_below_the_limit_signing_in_works(fr_handler):
    _device(fr_handler)
    client = Client()
    for _ in range(2):
        assert sign_in(client, fr_handler, password="wrong").status_code == 200
    response = sign_in(client, fr_handler)
    assert response.status_code == 302 and response.url == reverse("accounts:verify")


def test_beyond_the_limit_a_429_page_in_the_readers_language(fr_handler):
    _device(fr_handler)
    client = Client()
    for _ in range(3):
        sign_in(client, fr_handler, password="wrong")
    response = sign_in(client, fr_handler, HTTP_ACCEPT_LANGUAGE="de")  # the right password, refused all the same
    assert response.status_code == 429
    assert 1 <= int(response["Retry-After"]) <= 60
    assert response["Content-Language"] == "de"
    page = response.content.decode()
    assert '<html lang="de"' in page and "Anmeldung gesperrt" in page
    assert "_auth_user_id" not in client.session and "openimi_pending_login" not in client.session


def test_another_address_is_unaffected(fr_handler):
    _device(fr_handler)
    for _ in range(4):
        sign_in(Client(), fr_handler, password="wrong")
    assert sign_in(Client(), fr_handler, address=ADDRESS).status_code == 429
    assert sign_in(Client(), fr_handler, address="198.51.100.20").status_code == 302


def test_showing_the_sign_in_page_is_not_counted():
    client = Client()
    for _ in range(10):
        assert client.get(reverse("accounts:login"), REMOTE_ADDR=ADDRESS).status_code == 200


def test_second_factor_and_password_reset_posts_count_too(fr_handler, mailbox):
    _device(fr_handler)
    client = Client()
    sign_in(client, fr_handler)
    client.post(reverse("accounts:verify"), {"otp_token": "000000"}, REMOTE_ADDR=ADDRESS)
    client.post(reverse("accounts:password_reset"), {"email": fr_handler.email}, REMOTE_ADDR=ADDRESS)
    assert mailbox.wait(1)  # the third POST, still within the limit, sent its mail
    for url, data in [
        (reverse("accounts:verify"), {"otp_token": "000000"}),
        (reverse("accounts:password_reset"), {"email": fr_handler.email}),
        (reverse("accounts:login"), {"username": fr_handler.email, "password": PASSWORD}),
    ]:
        assert client.post(url, data, REMOTE_ADDR=ADDRESS).status_code == 429
    assert len(mailbox.messages) == 1


def test_behind_the_proxy_each_client_address_counts_apart(settings, fr_handler):
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    _device(fr_handler)
    for _ in range(4):
        # A client cannot escape by inventing addresses: the proxy's last entry is what counts.
        response = sign_in(Client(), fr_handler, address="10.0.0.2", HTTP_X_FORWARDED_FOR=f"1.1.1.{_}, {ADDRESS}")
    assert response.status_code == 429
    response = sign_in(Client(), fr_handler, address="10.0.0.2", HTTP_X_FORWARDED_FOR="198.51.100.20")
    assert response.status_code == 302


def test_behind_the_proxy_the_lockout_counts_the_client_address(settings, fr_handler):
    """django-axes locks the client out, not the proxy every user comes through."""
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    client = Client(REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="198.51.100.23", HTTP_X_FORWARDED_PROTO="https")
    client.post(reverse("accounts:login"), {"username": fr_handler.email, "password": "wrong"}, secure=True)
    assert list(AccessAttempt.objects.values_list("ip_address", flat=True)) == ["198.51.100.23"]
