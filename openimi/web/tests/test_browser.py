"""End to end in Debian's Chromium through Playwright, with an axe-core audit (WCAG 2.1 A/AA)
of every page visited. Run by .ci/run with OPENIMI_REQUIRE_BROWSER=1, where a missing browser
is a failure, not a skip."""

import os
import re
import shutil
from pathlib import Path

import pytest
from django.conf import settings
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import sync_playwright

from conftest import PASSWORD
from openimi.accounts.models import User
from openimi.directory.models import Authority, AuthorityStatus
from openimi.tests.factories import AuthorityFactory, UserFactory, coordinator, member

AXE = Path(settings.BASE_DIR) / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"

pytestmark = [
    pytest.mark.serial,
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("reference_data"),
]


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists() or not AXE.exists():
        if os.environ.get("OPENIMI_REQUIRE_BROWSER") == "1":
            pytest.fail(f"Browser tests required but Chromium ({CHROMIUM}) or axe-core ({AXE}) is missing")
        pytest.skip("Chromium or axe-core not installed (run bin/ensure-chromium and npm ci)")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"  # Playwright's sync API runs an event loop in this thread
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


class Audited:
    """A page wrapper that runs axe-core after every navigation and collects violations."""

    def __init__(self, page, live_server):
        self.page = page
        self.base = live_server.url
        self.violations: list[str] = []
        self.audited: list[str] = []

    def audit(self) -> None:
        self.page.wait_for_load_state("load")
        if not self.page.evaluate("typeof window.axe !== 'undefined'"):
            self.page.add_script_tag(path=str(AXE))
        result = self.page.evaluate(
            "async () => await axe.run(document, {runOnly: {type: 'tag', values: "
            "['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}})"
        )
        path = self.page.url.replace(self.base, "")
        self.audited.append(path)
        for violation in result["violations"]:
            targets = [n["target"] for n in violation["nodes"]][:3]
            self.violations.append(f"{path}: {violation['id']} ({violation['help']}) at {targets}")

    def goto(self, path: str) -> None:
        self.page.goto(self.base + path)
        self.audit()

    def submit(self, button_name: str) -> None:
        with self.page.expect_navigation():
            self.page.get_by_role("button", name=button_name, exact=True).click()
        self.audit()


def _code(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def _new_page(browser, live_server, language="en"):
    # bypass_csp only lets the test inject axe-core; the pages themselves run under the policy.
    context = browser.new_context(locale=language, extra_http_headers={"Accept-Language": language}, bypass_csp=True)
    return Audited(context.new_page(), live_server)


def _sign_in(ui: Audited, email: str, code_for) -> None:
    """Password, then TOTP code; by element ids, so it works in every interface language."""
    ui.goto("/accounts/login/")
    ui.page.locator("#id_username").fill(email)
    ui.page.locator("#id_password").fill(PASSWORD)
    with ui.page.expect_navigation():
        ui.page.locator("main form button[type=submit]").click()
    ui.audit()
    ui.page.locator("#id_otp_token").fill(code_for())
    with ui.page.expect_navigation():
        ui.page.locator("main form button[type=submit]").click()
    ui.audit()


@pytest.fixture
def coordinator_user(db):
    authority = AuthorityFactory(
        official_name="Direction générale des entreprises",
        country_id="FR",
        city="Paris",
        official_language_id="fr",
        kind="ministry",
        areas=["services", "general_cooperation"],
    )
    coordinator(authority, "national")
    user = UserFactory(email="claire.coordinator@dge.example", full_name="Claire Martin", language="en")
    member(user, authority, "local_admin")
    device = TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    return user, device


def test_sign_in_invite_register_validate_with_axe(browser, live_server, coordinator_user, settings):
    settings.SITE_URL = live_server.url
    user, device = coordinator_user
    AuthorityFactory(
        official_name="Architektenkammer Berlin",
        country_id="DE",
        city="Berlin",
        official_language_id="de",
        areas=["professional_qualifications"],
    )

    # 1. The coordinator signs in with password and TOTP code.
    ui = _new_page(browser, live_server)
    ui.goto("/")
    _sign_in(ui, user.email, lambda: _code(device))
    assert ui.page.get_by_role("heading", level=1).inner_text().startswith("Welcome")

    # 2. Directory with a filter, then the coordination pages.
    ui.goto("/directory/?country=DE")
    assert ui.page.get_by_role("link", name="Architektenkammer Berlin").is_visible()
    ui.goto("/directory/?q=architekt+berlni")  # a typo, any order; facets appear
    assert ui.page.get_by_role("link", name="Architektenkammer Berlin").is_visible()
    ui.page.locator("#filter-q").fill("archi")
    ui.page.wait_for_function("document.querySelectorAll('#filter-q-suggestions option').length > 0")
    assert ui.page.locator("#filter-q-suggestions option").first.get_attribute("value") == "Architektenkammer Berlin"
    ui.goto("/requests/coordination/")
    ui.page.get_by_role("link", name="Invite an authority").click()
    ui.audit()
    ui.page.get_by_label("Official name").fill("Mairie de Nantes")
    ui.page.get_by_label("E-mail address to send the invitation to").fill("accueil@nantes.example")
    ui.page.get_by_label("Region").select_option("FR-44")
    ui.page.get_by_label("Services Directive").check()
    ui.submit("Save")
    link = ui.page.get_by_test_id("invitation-link").inner_text().strip()
    assert link.startswith(live_server.url)

    # 3. The invited authority completes its registration (no account yet, in French).
    guest = _new_page(browser, live_server, language="fr")
    guest.goto(link.replace(live_server.url, ""))
    guest.page.locator("#id_city").fill("Nantes")
    guest.page.locator("#id_admin_name").fill("Nina Leroy")
    guest.page.locator("#id_admin_password").fill("un mot de passe solide 2026")
    guest.page.locator("#id_admin_password2").fill("un mot de passe solide 2026")
    with guest.page.expect_navigation():
        guest.page.locator("main button[type=submit]").click()
    guest.audit()
    assert Authority.objects.get(official_name="Mairie de Nantes").status == AuthorityStatus.PENDING

    # 4. The coordinator validates it.
    ui.goto("/requests/coordination/")
    ui.page.get_by_role("link", name="Mairie de Nantes").click()
    ui.audit()
    ui.submit("Validate")
    assert "validated" in ui.page.locator(".govuk-notification-banner").inner_text()
    assert Authority.objects.get(official_name="Mairie de Nantes").status == AuthorityStatus.ACTIVE

    # 5. The new local administrator signs in for the first time and enrols an authenticator.
    newcomer = _new_page(browser, live_server)
    newcomer.goto("/accounts/login/")
    newcomer.page.get_by_label("E-mail address").fill("accueil@nantes.example")
    newcomer.page.get_by_label("Password").fill("un mot de passe solide 2026")
    newcomer.submit("Continue")
    assert "/accounts/login/setup/" in newcomer.page.url
    enrolled = TOTPDevice.objects.get(user__email="accueil@nantes.example", confirmed=False)
    secret = newcomer.page.get_by_test_id("totp-secret").inner_text().replace(" ", "")
    assert re.fullmatch(r"[A-Z2-7]+=*", secret)
    newcomer.page.get_by_label("Code from your authenticator app").fill(_code(enrolled))
    newcomer.submit("Confirm and sign in")
    assert newcomer.page.url.rstrip("/") == live_server.url

    # 6. The language switcher changes the interface and remembers the choice.
    newcomer.page.get_by_label("Language").select_option("de")
    newcomer.submit("Change")
    assert newcomer.page.locator("html").get_attribute("lang") == "de"
    assert User.objects.get(email="accueil@nantes.example").language == "de"

    # 7. Keyboard only: the skip link is the first thing a keyboard user reaches, and it works.
    newcomer.page.keyboard.press("Tab")
    assert "govuk-skip-link" in newcomer.page.evaluate("document.activeElement.className")
    newcomer.page.keyboard.press("Enter")
    assert newcomer.page.evaluate("document.activeElement.id") == "main-content"

    assert ui.violations + guest.violations + newcomer.violations == []
    assert len(ui.audited + guest.audited + newcomer.audited) >= 12
