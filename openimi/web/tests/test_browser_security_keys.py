"""A security key end to end in Debian's Chromium with the DevTools virtual authenticator:
registered on the profile page, then used to sign in after the password; axe-core on every
page, and the Content Security Policy enforced (unlike the other browser tests, which bypass
it to inject axe-core) with no violation reported."""

from urllib.parse import urlsplit

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp_webauthn.models import WebAuthnCredential

from conftest import PASSWORD
from openimi.tests.factories import AuthorityFactory, UserFactory, member
from openimi.web.tests.test_browser import AXE, Audited, _code, _sign_in, browser  # noqa: F401 - fixture

pytestmark = [
    pytest.mark.serial,
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("reference_data"),
]

REPORT_CSP = """
document.addEventListener("securitypolicyviolation", (event) => window.reportCspViolation(
  `${event.violatedDirective} ${event.blockedURI} at ${event.sourceFile}:${event.lineNumber}`));
"""


def _strict_page(browser, live_server):  # noqa: F811
    """A page under the site's real policy. axe-core and the violation listener come in as init
    scripts, which DevTools injects without going through the page's policy."""
    context = browser.new_context(locale="en", extra_http_headers={"Accept-Language": "en"})
    context.add_init_script(path=str(AXE))
    csp_violations: list[str] = []
    context.expose_function("reportCspViolation", lambda violation: csp_violations.append(violation))
    context.add_init_script(script=REPORT_CSP)
    page = context.new_page()
    console_errors: list[str] = []

    def on_console(message):
        # Chromium asks every site for /favicon.ico, which OpenIMI does not have.
        if message.type == "error" and not message.location.get("url", "").endswith("/favicon.ico"):
            console_errors.append(message.text)

    page.on("console", on_console)
    page.on("pageerror", lambda error: console_errors.append(str(error)))
    return Audited(page, live_server), context, csp_violations, console_errors


def test_register_a_security_key_and_sign_in_with_it(browser, live_server, settings):  # noqa: F811
    settings.SITE_URL = live_server.url
    # WebAuthn needs a secure context and a domain as relying-party id: http://localhost is both.
    assert urlsplit(live_server.url).hostname == "localhost"
    settings.OTP_WEBAUTHN_RP_ID = "localhost"
    settings.OTP_WEBAUTHN_ALLOWED_ORIGINS = [live_server.url]
    authority = AuthorityFactory(official_name="Ordre des architectes", country_id="FR", areas=["services"])
    user = UserFactory(email="alice@architectes.example", full_name="Alice Durand", language="en")
    member(user, authority, "request_handler")
    device = TOTPDevice.objects.create(user=user, name="phone", confirmed=True)

    ui, context, csp_violations, console_errors = _strict_page(browser, live_server)
    page = ui.page
    cdp = context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    authenticator = cdp.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "usb",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
            }
        },
    )["authenticatorId"]

    # 1. Signed in with password and TOTP code, the user adds a key on the profile page.
    _sign_in(ui, user.email, lambda: _code(device))
    ui.goto("/accounts/profile/")
    assert page.get_by_test_id("security-key").count() == 0
    with page.expect_navigation():  # the page reloads once the key is stored
        page.get_by_role("button", name="Add a security key").click()
    ui.audit()
    assert page.get_by_test_id("security-key").count() == 1
    assert "Your security key has been added." in page.locator(".govuk-notification-banner").inner_text()
    assert len(cdp.send("WebAuthn.getCredentials", {"authenticatorId": authenticator})["credentials"]) == 1
    key = WebAuthnCredential.objects.get(user=user)

    # 2. Sign out, then password and security key.
    with page.expect_navigation():
        page.locator("header").get_by_role("button", name="Sign out").click()
    ui.goto("/accounts/login/")
    page.locator("#id_username").fill(user.email)
    page.locator("#id_password").fill(PASSWORD)
    ui.submit("Continue")
    assert "/accounts/login/verify/" in page.url
    assert page.locator("#id_otp_token").is_visible()  # both factors are offered
    with page.expect_navigation():
        page.get_by_role("button", name="Use security key").click()
    ui.audit()
    assert page.url.rstrip("/") == live_server.url
    assert page.get_by_role("heading", level=1).inner_text().startswith("Welcome")
    assert page.locator("header").get_by_role("button", name="Sign out").is_visible()
    key.refresh_from_db()
    assert key.last_used_at is not None

    # 3. The key can be removed again (the authenticator app remains).
    ui.goto(f"/accounts/profile/security-keys/{key.pk}/remove/")
    ui.submit("Remove security key")
    assert page.get_by_test_id("security-key").count() == 0
    assert not WebAuthnCredential.objects.filter(user=user).exists()

    context.close()
    assert ui.violations == []
    assert len(ui.audited) >= 7
    assert csp_violations == []
    assert [m for m in console_errors if "Content Security Policy" in m or "Content-Security-Policy" in m] == []
    assert console_errors == []
