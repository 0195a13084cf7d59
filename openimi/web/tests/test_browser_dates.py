"""Typing a date by keyboard alone with the three-field input (day, month, year), in French and
in English: an impossible date is refused with the error on the field and nothing recorded, the
error summary leads back to it, the corrected date is recorded as typed. axe-core on every page.
The key presses counted here are those recorded in docs/usability.md, "Dates"."""

import datetime

import pytest
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from openimi.lib import formats
from openimi.privacy.models import SubjectRequest
from openimi.web.tests.test_browser import _code, _new_page, _sign_in, browser  # noqa: F401 - fixture

pytestmark = [
    pytest.mark.serial,
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("reference_data"),
]


def fill_date(scope, name: str, value: datetime.date) -> None:
    """Fill the three inputs of date field ``name`` (for the other browser tests)."""
    for part, number in (("day", value.day), ("month", value.month), ("year", value.year)):
        scope.locator(f"input[name='{name}-{part}']").fill(str(number))


class Keys:
    """The keyboard, counting every key pressed."""

    def __init__(self, page):
        self.page, self.count = page, 0

    def press(self, key: str) -> None:
        self.page.keyboard.press(key)
        self.count += 1

    def type(self, text: str) -> None:
        for character in text:
            self.press(character)

    def focused(self) -> str:
        return self.page.evaluate("document.activeElement.id || document.activeElement.getAttribute('href') || ''")

    def tab_to(self, target: str, limit: int = 60) -> None:
        for _ in range(limit):
            self.press("Tab")
            if self.focused() == target:
                return
        raise AssertionError(f"{target} not reached by Tab")

    def date(self, day: str, month: str, year: str) -> None:
        """From the day input: the three parts, Tab between them (GOV.UK's input)."""
        self.type(day)
        self.press("Tab")
        self.type(month)
        self.press("Tab")
        self.type(year)


@pytest.mark.parametrize("language", ["fr", "en"])
def test_a_date_typed_by_keyboard_in_three_fields(browser, live_server, fr_admin, language):  # noqa: F811
    fr_admin.language = language
    fr_admin.save(update_fields=["language"])
    device = TOTPDevice.objects.create(user=fr_admin, name="phone", confirmed=True)
    ui = _new_page(browser, live_server, language=language)
    _sign_in(ui, fr_admin.email, lambda: _code(device))
    ui.goto("/data-protection/subject-requests/new/")
    assert ui.page.locator("html").get_attribute("lang") == language
    assert ui.page.locator("input[type=date]").count() == 0
    labels = ui.page.locator("fieldset:has(#id_received_on) .govuk-date-input__label").all_inner_texts()
    assert len(labels) == 3  # day, month and year, each labelled
    keys = Keys(ui.page)

    keys.tab_to("id_person_name")
    keys.type("Jean Dupont")
    keys.press("Tab")
    keys.press("Tab")
    assert keys.focused() == "id_received_on"  # the day comes first, in French as in English
    year = str(timezone.localdate().year)
    keys.count = 0
    keys.date("31", "2", year)  # Tab into a filled input selects its text: typing replaces it
    assert keys.count == 2 + 1 + 1 + 1 + 4  # "31", Tab, "2", Tab, the year
    with ui.page.expect_navigation():
        keys.press("Enter")
    ui.audit()
    assert not SubjectRequest.objects.exists()
    group = ui.page.locator(".govuk-form-group--error:has(#id_received_on)")
    assert group.locator(".govuk-error-message").count() == 1
    assert "govuk-input--error" in (ui.page.locator("#id_received_on").get_attribute("class") or "")
    assert "govuk-input--error" not in (ui.page.locator("#id_received_on-month").get_attribute("class") or "")
    assert ui.page.locator("#id_received_on").input_value() == "31"  # what was typed is kept

    # The error summary's link leads back to the day; the corrected date is recorded.
    keys.count = 0
    keys.tab_to("#id_received_on")
    keys.press("Enter")
    assert keys.focused() == "id_received_on"
    assert keys.count == 2  # the summary has the focus: Tab to its link, Enter
    received = timezone.localdate() - datetime.timedelta(days=10)
    keys.press("Control+A")
    keys.date(str(received.day), str(received.month), str(received.year))
    with ui.page.expect_navigation():
        keys.press("Enter")
    ui.audit()
    recorded = SubjectRequest.objects.get()
    assert recorded.received_on == received
    assert formats.date_long(received, language) in ui.page.content()
    assert ui.violations == [], ui.violations
