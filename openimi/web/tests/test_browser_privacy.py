"""The data-protection pages in a real browser, with axe-core on each: a local administrator
records a data-subject request, sees what is held, rectifies it with the keyboard, marks it
contested, opens the printable copy, completes it, and reads the audit log."""

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice

from openimi.exchanges.models import InformationRequest
from openimi.exchanges.services import request_act, request_create
from openimi.exchanges.tests.test_workflow import draft_data
from openimi.privacy.models import ContestMark, SubjectRequest
from openimi.tests.factories import AuthorityFactory, UserFactory, member
from openimi.web.tests.test_browser import _code, _new_page, _sign_in, browser  # noqa: F401 - fixture

pytestmark = [
    pytest.mark.serial,
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("reference_data"),
]


def test_a_local_administrator_answers_a_data_subject_request(browser, live_server):  # noqa: F811
    french = AuthorityFactory(
        official_name="Ordre des architectes",
        country_id="FR",
        official_language_id="fr",
        areas=["professional_qualifications"],
    )
    german = AuthorityFactory(
        official_name="Architektenkammer Berlin",
        country_id="DE",
        official_language_id="de",
        areas=["professional_qualifications"],
    )
    handler = UserFactory(email="handler@ordre.example", full_name="François Petit")
    member(handler, french, "request_handler")
    member(UserFactory(email="hanna@ak.example"), german, "request_handler")
    admin = UserFactory(email="alice@ordre.example", full_name="Alice Durand", language="fr")
    member(admin, french, "local_admin")
    device = TOTPDevice.objects.create(user=admin, name="phone", confirmed=True)
    r = request_create(actor=handler, requester=french, data=draft_data(german))
    r = request_act(actor=handler, request=r, action="submit")

    ui = _new_page(browser, live_server, language="fr")
    _sign_in(ui, admin.email, lambda: _code(device))
    ui.goto("/data-protection/subject-requests/")
    ui.goto("/data-protection/subject-requests/new/")
    ui.page.locator("#id_kind").select_option("rectification")
    ui.page.locator("#id_person_name").fill("jean dupont")
    with ui.page.expect_navigation():
        ui.page.locator("main form button[type=submit]").click()
    ui.audit()
    sr = SubjectRequest.objects.get()
    assert "ARCH-75-1234" in ui.page.content()

    # Rectify with the keyboard: open the disclosure, type, submit with Enter.
    ui.page.locator("details summary").first.focus()
    ui.page.keyboard.press("Enter")
    address = ui.page.locator(f"#id_r{r.pk}-subject_address")
    address.fill("12 rue de Rivoli, Paris")
    with ui.page.expect_navigation():
        address.press("Enter")
    ui.audit()
    assert InformationRequest.objects.get(pk=r.pk).subject_address == "12 rue de Rivoli, Paris"

    ui.page.locator("details summary").nth(1).click()
    ui.page.locator(f"#id_c{r.pk}-reason").fill("La date de naissance est fausse.")
    with ui.page.expect_navigation():
        ui.page.locator(f"form[action$='/requests/{r.pk}/contest/'] button").click()
    ui.audit()
    assert ContestMark.objects.filter(request=r, lifted_at__isnull=True).exists()

    ui.goto(f"/data-protection/subject-requests/{sr.pk}/print/")
    assert ui.page.locator("button[data-print]").is_visible()
    ui.goto(f"/data-protection/subject-requests/{sr.pk}/")
    ui.page.locator("#id_outcome").fill("Données corrigées, réponse envoyée par courrier.")
    with ui.page.expect_navigation():
        ui.page.locator(f"form[action$='/{sr.pk}/complete/'] button").click()
    ui.audit()
    sr.refresh_from_db()
    assert sr.status == "completed"

    ui.goto("/data-protection/audit/")
    assert "alice@ordre.example" in ui.page.content()
    ui.goto(f"/requests/{r.pk}/")
    assert ui.page.locator("#contested").is_visible()
    assert len(ui.audited) >= 10
    assert ui.violations == []
