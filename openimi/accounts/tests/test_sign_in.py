import time

import pytest
from django.test import Client
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from conftest import PASSWORD


def _device(user, confirmed=True) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="phone", confirmed=confirmed)


def _code(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def _password_step(client: Client, user, password=PASSWORD):
    return client.post(reverse("accounts:login"), {"username": user.email, "password": password})


def test_password_alone_does_not_sign_in(fr_handler):
    _device(fr_handler)
    client = Client()
    response = _password_step(client, fr_handler)
    assert response.status_code == 302 and response.url == reverse("accounts:verify")
    assert "_auth_user_id" not in client.session
    assert client.get(reverse("directory:list")).status_code == 302


def test_password_and_code_sign_in(fr_handler):
    device = _device(fr_handler)
    client = Client()
    _password_step(client, fr_handler)
    response = client.post(reverse("accounts:verify"), {"otp_token": _code(device)})
    assert response.status_code == 302
    assert client.get(reverse("directory:list")).status_code == 200
    # The user's saved language is applied after sign-in.
    assert client.cookies["django_language"].value == "fr"


def test_wrong_code_is_refused_with_a_message_in_the_users_language(fr_handler):
    _device(fr_handler)
    client = Client()
    _password_step(client, fr_handler)
    response = client.post(reverse("accounts:verify"), {"otp_token": "000000"}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert "not correct" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_non_numeric_code_is_a_form_error_not_a_crash(fr_handler):
    _device(fr_handler)
    client = Client()
    _password_step(client, fr_handler)
    response = client.post(reverse("accounts:verify"), {"otp_token": "abc\x00ef"})
    assert response.status_code == 200
    assert "govuk-error-summary" in response.content.decode()


def test_wrong_password_gives_one_neutral_message(fr_handler):
    client = Client()
    response = _password_step(client, fr_handler, password="wrong")
    assert response.status_code == 200
    assert "not correct" in response.content.decode()


def test_lockout_after_five_failures_even_with_the_right_password(fr_handler):
    _device(fr_handler)
    client = Client()
    for _ in range(5):
        _password_step(client, fr_handler, password="wrong")
    response = _password_step(client, fr_handler)
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_wrong_codes_count_towards_the_lockout(fr_handler):
    device = _device(fr_handler)
    client = Client()
    _password_step(client, fr_handler)
    for _ in range(5):
        response = client.post(reverse("accounts:verify"), {"otp_token": "000000"})
    assert response.status_code == 429
    _password_step(client, fr_handler)
    response = client.post(reverse("accounts:verify"), {"otp_token": _code(device)})
    assert response.status_code in (302, 429)
    assert "_auth_user_id" not in client.session


def test_first_sign_in_enrols_an_authenticator(fr_handler):
    client = Client()
    response = _password_step(client, fr_handler)
    assert response.url == reverse("accounts:setup")
    page = client.get(reverse("accounts:setup"))
    assert "<svg" in page.content.decode()
    device = TOTPDevice.objects.get(user=fr_handler, confirmed=False)
    client.post(reverse("accounts:setup"), {"otp_token": _code(device)})
    device.refresh_from_db()
    assert device.confirmed
    assert client.get(reverse("directory:list")).status_code == 200


def test_demo_accounts_skip_the_second_factor_only_in_demo_mode(fr_handler, settings):
    fr_handler.is_demo = True
    fr_handler.save()
    client = Client()
    assert _password_step(client, fr_handler).url == reverse("accounts:setup")
    settings.DEMO_MODE = True
    client = Client()
    response = _password_step(client, fr_handler)
    assert response.status_code == 302 and response.url == "/"
    assert client.get(reverse("directory:list")).status_code == 200
    assert "openimi-demo-banner" in client.get("/").content.decode()


def test_ordinary_accounts_still_need_a_code_in_demo_mode(fr_handler, settings):
    settings.DEMO_MODE = True
    _device(fr_handler)
    client = Client()
    assert _password_step(client, fr_handler).url == reverse("accounts:verify")


def test_session_without_second_factor_is_refused(fr_handler):
    client = Client()
    client.force_login(fr_handler)
    response = client.get(reverse("directory:list"))
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


def test_open_redirect_after_sign_in_is_ignored(fr_handler, settings):
    settings.DEMO_MODE = True
    fr_handler.is_demo = True
    fr_handler.save()
    client = Client()
    response = client.post(
        reverse("accounts:login") + "?next=https://evil.example/", {"username": fr_handler.email, "password": PASSWORD}
    )
    assert response.url == "/"


@pytest.mark.django_db
def test_password_reset_mail_arrives_over_smtp_in_the_users_language(fr_handler, mailbox):
    response = Client().post(reverse("accounts:password_reset"), {"email": fr_handler.email})
    assert response.status_code == 302
    mail = mailbox.wait(1)[0]
    assert mail["To"] == fr_handler.email
    assert "/accounts/password/reset/" in mail.get_content()
    assert "mot de passe" in mail["Subject"].lower()


def test_language_switch_is_saved_on_the_profile(client_for, fr_handler):
    client = client_for(fr_handler)
    client.post(reverse("accounts:language"), {"language": "pl", "next": "/"})
    fr_handler.refresh_from_db()
    assert fr_handler.language == "pl"
    response = client.get("/")
    assert response.headers["Content-Language"] == "pl"


def test_unknown_language_is_refused(client_for, fr_handler):
    client = client_for(fr_handler)
    client.post(reverse("accounts:language"), {"language": "xx", "next": "/"})
    fr_handler.refresh_from_db()
    assert fr_handler.language == "fr"


def test_pages_carry_a_strict_content_security_policy(db):
    policy = Client().get("/").headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy and "frame-ancestors 'none'" in policy


def test_idle_sessions_are_signed_out(client_for, fr_handler, settings):
    client = client_for(fr_handler)
    assert client.get(reverse("directory:list")).status_code == 200
    session = client.session
    session["openimi_last_seen"] = int(time.time()) - settings.SESSION_IDLE_SECONDS - 5
    session.save()
    response = client.get(reverse("directory:list"))
    assert response.status_code == 302 and response.url.startswith(reverse("accounts:login"))
    assert "_auth_user_id" not in client.session
