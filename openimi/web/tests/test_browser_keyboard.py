"""Tasks done by keyboard alone, counting every key: withdrawing a sent request goes through
its confirmation page (Enter on the request page cannot withdraw), and the main menu is
reached from the top of any page in a fixed number of Tabs. The figures are those of
docs/usability.md."""

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice

from openimi.exchanges.models import InformationRequest, State
from openimi.exchanges.services import request_act, request_create
from openimi.exchanges.tests.test_workflow import draft_data
from openimi.tests.factories import AuthorityFactory, UserFactory, member
from openimi.web.tests.test_browser import _code, _new_page, _sign_in, browser  # noqa: F401 - fixture
from openimi.web.tests.test_browser_dates import Keys

pytestmark = [
    pytest.mark.serial,
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("reference_data"),
]


def _tab_to_the_button_and_press_enter(ui, keys) -> None:
    keys.press("Tab")
    assert ui.page.evaluate("document.activeElement.type") == "submit"
    with ui.page.expect_navigation():
        keys.press("Enter")
    ui.audit()


@pytest.mark.parametrize("language", ["fr", "de", "pl"])
def test_withdrawing_by_keyboard_asks_for_confirmation_and_a_reason(browser, live_server, language):  # noqa: F811
    fr = AuthorityFactory(country_id="FR", official_language_id="fr", areas=["professional_qualifications"])
    de = AuthorityFactory(country_id="DE", official_language_id="de", areas=["professional_qualifications"])
    user = UserFactory(language=language)
    member(user, fr, "request_handler")
    device = TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    r = request_act(actor=user, request=request_create(actor=user, requester=fr, data=draft_data(de)), action="submit")

    ui = _new_page(browser, live_server, language=language)
    _sign_in(ui, user.email, lambda: _code(device))
    ui.goto(f"/requests/{r.pk}/")
    keys = Keys(ui.page)
    withdraw = f"/requests/{r.pk}/act/withdraw/"
    keys.tab_to(withdraw)
    tabs_to_link = keys.count
    # Enter on the link opens the confirmation page: nothing is withdrawn yet.
    with ui.page.expect_navigation():
        keys.press("Enter")
    ui.audit()
    assert InformationRequest.objects.get(pk=r.pk).state == State.SENT
    assert ui.page.locator(".govuk-warning-text").count() == 1
    # Confirming without a reason: Tab to the button, Enter; the error summary says what is
    # missing and nothing is withdrawn.
    start = keys.count
    keys.tab_to("id_withdraw-text")
    _tab_to_the_button_and_press_enter(ui, keys)
    confirm_without_reason = keys.count - start
    assert ui.page.locator(".govuk-error-summary").count() == 1
    assert InformationRequest.objects.get(pk=r.pk).state == State.SENT
    # From the error: the summary's link to the field, type the reason, Tab to the button, Enter.
    start = keys.count
    keys.tab_to("#id_withdraw-text")
    keys.press("Enter")
    assert ui.page.evaluate("document.activeElement.id") == "id_withdraw-text"
    keys.type("Erreur")
    _tab_to_the_button_and_press_enter(ui, keys)
    navigation = keys.count - start - len("Erreur")
    assert InformationRequest.objects.get(pk=r.pk).state == State.WITHDRAWN
    print(
        f"\n[usability] {language}: {tabs_to_link} Tabs to the withdraw link + Enter; "
        f"{confirm_without_reason} keys to confirm without a reason; {navigation} keys from the error to done"
    )
    assert ui.violations == []
