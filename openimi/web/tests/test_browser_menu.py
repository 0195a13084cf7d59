"""The main menu stays on one line at 1024 and 1280 px in the languages with the longest words,
for the user who has the most entries (a national coordinator who is also local administrator,
with unread notifications), and every entry is reachable by keyboard."""

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


@pytest.mark.parametrize("language", ["fr", "de", "pl", "el", "fi"])
def test_the_fullest_menu_fits_on_one_line(browser, live_server, language):  # noqa: F811
    national = AuthorityFactory(country_id="FR", official_language_id="fr", kind="ministry", areas=["services"])
    coordinator(national, "national")
    user = UserFactory(language=language)
    member(user, national, "local_admin")
    member(user, national, "request_handler")
    device = TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    for _ in range(12):
        notify(recipients=[user], kind="reminder")

    ui = _new_page(browser, live_server, language=language)
    _sign_in(ui, user.email, lambda: _code(device))
    for width in (1024, 1280):
        ui.page.set_viewport_size({"width": width, "height": 800})
        ui.goto("/")
        tops = ui.page.eval_on_selector_all(".openimi-nav li", "items => items.map(i => i.offsetTop)")
        assert len(tops) >= 6, tops  # the coordinator's and the local administrator's entries are there
        texts = ui.page.eval_on_selector_all(
            ".openimi-nav li", "items => items.map(i => i.innerText + ' ' + i.offsetWidth)"
        )
        assert len(set(tops)) == 1, (language, width, texts)
        assert ui.page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")
    # The account is reached from the header, the main menu's entries by Tab.
    assert ui.page.locator(".openimi-header a[href='/accounts/profile/']").count() == 1
    ui.page.keyboard.press("Tab")  # the skip link
    labels = []
    for _ in range(20):
        ui.page.keyboard.press("Tab")
        labels.append(ui.page.evaluate("document.activeElement.closest('.openimi-nav') !== null"))
    assert labels.count(True) == len(tops)
    assert ui.violations == []
