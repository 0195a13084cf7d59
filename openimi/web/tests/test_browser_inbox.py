"""The inbox at 1024 and 1280 px, in three languages: no horizontal overflow, the reply-by
column fully visible, references on one line, the "New" marker until the request is opened and
a column naming which of the user's authorities a request concerns; axe-core on every page."""

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice

from openimi.exchanges.models import InformationRequest
from openimi.exchanges.services import request_act, request_create
from openimi.exchanges.tests.test_workflow import draft_data
from openimi.tests.factories import AuthorityFactory, UserFactory, member
from openimi.web.tests.test_browser import _code, _new_page, _sign_in, browser  # noqa: F401 - fixture

pytestmark = [
    pytest.mark.serial,
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("reference_data"),
]

AREA = ["professional_qualifications"]


def test_inbox_fits_at_1024_and_1280_px_and_marks_new_requests(browser, live_server):  # noqa: F811
    # Long names, as in the directory: the widest rows the inbox shows.
    senders = [
        AuthorityFactory(
            official_name="Conseil départemental de l'Ordre des masseurs-kinésithérapeutes des Bouches-du-Rhône",
            country_id="FR",
            official_language_id="fr",
            areas=AREA,
        ),
        AuthorityFactory(
            official_name="Okręgowa Izba Pielęgniarek i Położnych w Bielsku-Białej",
            country_id="PL",
            official_language_id="pl",
            areas=AREA,
        ),
    ]
    homes = [
        AuthorityFactory(
            official_name="Landesprüfungsamt für Heilberufe beim Landesamt für Gesundheit und Soziales",
            country_id="DE",
            official_language_id="de",
            areas=AREA,
        ),
        AuthorityFactory(
            official_name="Zahnärztekammer Westfalen-Lippe – Bezirksstelle Münster",
            country_id="DE",
            official_language_id="de",
            areas=AREA,
        ),
    ]
    hanna = UserFactory(email="hanna@lpa.example", full_name="Hanna Schmidt", language="de")
    for home in homes:
        member(hanna, home, "request_handler")
    device = TOTPDevice.objects.create(user=hanna, name="phone", confirmed=True)
    for i, sender in enumerate(senders * 3):
        handler = UserFactory()
        member(handler, sender, "request_handler")
        draft = request_create(actor=handler, requester=sender, data=draft_data(homes[i % 2]))
        request_act(actor=handler, request=draft, action="submit")
    newest = InformationRequest.objects.order_by("-updated_at", "-pk").first()

    ui = _new_page(browser, live_server, language="de")
    _sign_in(ui, hanna.email, lambda: _code(device))
    for language in ("de", "fr", "pl"):
        hanna.language = language  # the interface follows the account's language
        hanna.save(update_fields=["language"])
        for width in (1024, 1280):
            ui.page.set_viewport_size({"width": width, "height": 800})
            ui.goto("/requests/")
            assert ui.page.locator("html").get_attribute("lang") == language
            fits = ui.page.evaluate(
                "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
            )
            assert fits[0] <= fits[1], (language, width, fits)
            cells = ui.page.locator("tbody tr:first-child td")
            last = cells.last.bounding_box()
            assert last["x"] + last["width"] <= width, (language, width, last)  # the reply-by column not cut
            reference = ui.page.locator("tbody tr:first-child td:first-child a")
            assert reference.evaluate("e => getComputedStyle(e).whiteSpace") == "nowrap"
            # Several authorities: a column says which one each request was sent to.
            assert homes[0].official_name in ui.page.locator("tbody").inner_text()
            assert homes[1].official_name in ui.page.locator("tbody").inner_text()
        assert ui.page.locator("tbody .openimi-new").count() == (6 if language == "de" else 5)
        if language == "de":
            # Opening a request clears its marker.
            ui.goto(f"/requests/{newest.pk}/")
            ui.goto("/requests/")
            row = ui.page.locator("tbody tr", has_text=newest.reference)
            assert row.locator(".openimi-new").count() == 0
    assert ui.violations == []
