"""axe-core on every remaining page of the interface: the coordinator's and local
administrator's forms, the import report, the operator's pages, notifications, the profile,
password reset, an invalid invitation, the lockout page and the outbox."""

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice

from openimi.notifications.services import notify
from openimi.tests.factories import AuthorityFactory, UserFactory, coordinator, member
from openimi.web.tests.test_browser import _code, _new_page, _sign_in, browser  # noqa: F401 - fixture

pytestmark = [
    pytest.mark.serial,
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("reference_data"),
]


def test_remaining_pages_pass_axe(browser, live_server, tmp_path):  # noqa: F811
    national = AuthorityFactory(
        official_name="Direction générale des entreprises",
        country_id="FR",
        official_language_id="fr",
        kind="ministry",
        areas=["services"],
    )
    coordinator(national, "national")
    claire = UserFactory(email="claire@dge.example", full_name="Claire Martin", language="en", is_operator=True)
    member(claire, national, "local_admin")
    member(UserFactory(email="paul@dge.example", full_name="Paul Durand"), national, "request_handler")
    device = TOTPDevice.objects.create(user=claire, name="phone", confirmed=True)
    notify(recipients=[claire], kind="reminder")
    pk, member_pk = national.pk, national.memberships.get(user__email="paul@dge.example").pk
    listed = AuthorityFactory(official_name="Mairie de Rouen", country_id="FR", areas=["services"])

    ui = _new_page(browser, live_server)
    _sign_in(ui, claire.email, lambda: _code(device))
    for path in [
        "/directory/register/",
        f"/directory/{pk}/edit/",
        f"/directory/{pk}/areas/",
        f"/directory/{pk}/members/",
        f"/directory/{pk}/members/{member_pk}/",
        # Confirmation pages, and our own 404 and 403 (Claire sends no requests).
        f"/directory/{pk}/members/{member_pk}/remove/",
        f"/directory/{listed.pk}/suspend/",
        "/no-such-page/",
        "/requests/new/",
        "/directory/import/",
        "/directory/operator/",
        # The operator's pages (Claire is the operator too).
        "/operator/countries/",
        "/operator/countries/FR/",
        "/operator/languages/",
        "/operator/languages/fr/",
        "/operator/legal-areas/",
        "/operator/legal-areas/services/",
        "/operator/vocabularies/",
        "/operator/vocabularies/service_activities/",
        "/operator/question-sets/",
        "/operator/statistics/",
        "/notifications/",
        "/accounts/profile/",
        "/requests/outbox/",
    ]:
        ui.goto(path)
    # The import report, with an error on line 2.
    csv = tmp_path / "authorities.csv"
    csv.write_text("official_name;official_language;country;region\nMairie de Nulle Part;fr;FR;DE-BE\n")
    ui.goto("/directory/import/")
    ui.page.locator("input[type=file]").set_input_files(str(csv))
    ui.submit("Check file")
    assert "region:" in ui.page.content()
    # A form with errors.
    ui.goto("/directory/register/")
    ui.page.locator("#id_email").fill("not an address")
    ui.submit("Save")
    assert ui.page.locator(".govuk-error-summary").is_visible()
    # An operator's form with errors.
    ui.goto("/operator/legal-areas/services/")
    ui.page.locator("#id_retention_block_months").fill("40")
    ui.submit("Save")
    assert ui.page.locator(".govuk-error-summary").is_visible()

    guest = _new_page(browser, live_server, language="de")
    for path in ["/", "/accounts/password/reset/", "/directory/join/forged-token/"]:
        guest.goto(path)
    guest.goto("/accounts/password/reset/")
    guest.page.locator("#id_email").fill("nobody@example.org")
    with guest.page.expect_navigation():
        guest.page.locator("main form button[type=submit]").click()
    guest.audit()
    for _ in range(6):  # the lockout page
        guest.goto("/accounts/login/")
        guest.page.locator("#id_username").fill(claire.email)
        guest.page.locator("#id_password").fill("wrong password")
        with guest.page.expect_navigation():
            guest.page.locator("main form button[type=submit]").click()
    guest.audit()
    assert "429" in str(guest.page.evaluate("performance.getEntriesByType('navigation')[0].responseStatus"))

    assert len(ui.audited) >= 25 and len(guest.audited) >= 6
    assert ui.violations + guest.violations == []


def test_refusal_pages_pass_axe(browser, live_server, settings):  # noqa: F811
    """The page for a form sent without this session's CSRF token, and the page for too many
    sign-in attempts from one address: both ours, in the reader's language, accessible."""
    settings.SIGN_IN_RATE_LIMIT = "1/m"
    guest = _new_page(browser, live_server, language="it")
    guest.goto("/accounts/login/")
    guest.page.context.clear_cookies()  # the CSRF cookie is gone: the form can no longer be sent
    guest.page.locator("#id_username").fill("nobody@example.org")
    guest.page.locator("#id_password").fill("wrong password")
    with guest.page.expect_navigation():
        guest.page.locator("main form button[type=submit]").click()
    guest.audit()
    assert guest.page.evaluate("performance.getEntriesByType('navigation')[0].responseStatus") == 403
    assert guest.page.locator("html").get_attribute("lang") == "it"
    for _ in range(2):  # the second sign-in attempt within the minute is refused
        guest.goto("/accounts/login/")
        guest.page.locator("#id_username").fill("nobody@example.org")
        guest.page.locator("#id_password").fill("wrong password")
        with guest.page.expect_navigation():
            guest.page.locator("main form button[type=submit]").click()
    guest.audit()
    assert guest.page.evaluate("performance.getEntriesByType('navigation')[0].responseStatus") == 429
    assert len(guest.audited) >= 5
    assert guest.violations == []
