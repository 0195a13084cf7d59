"""A French and a Spanish handler exchange a request in the browser, each in their own
interface language, free text included through machine translation (the real Apertium); and
a Portuguese message reaches an English reader through a pivot language."""

import datetime

import pytest
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from openimi.exchanges.models import InformationRequest, State
from openimi.exchanges.services import DraftData, request_act, request_create
from openimi.tests.factories import AuthorityFactory, UserFactory, member
from openimi.web.tests.test_browser import _code, _new_page, _sign_in, browser  # noqa: F401 - fixture
from openimi.web.tests.test_browser_dates import fill_date
from openimi.web.tests.test_browser_requests import act

pytestmark = [
    pytest.mark.serial,
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("reference_data"),
]


def person(email, name, language, authority, role="request_handler"):
    user = UserFactory(email=email, full_name=name, language=language)
    member(user, authority, role)
    return user, TOTPDevice.objects.create(user=user, name="phone", confirmed=True)


def show_in_my_language(ui) -> None:
    with ui.page.expect_navigation():
        ui.page.locator("a[href^='?translate=1']").first.click()
    ui.audit()


def test_french_and_spanish_handlers_each_in_their_own_language(browser, live_server, apertium):  # noqa: F811
    fr = AuthorityFactory(
        official_name="Ordre des architectes",
        country_id="FR",
        official_language_id="fr",
        areas=["professional_qualifications"],
    )
    es = AuthorityFactory(
        official_name="Consejo Superior de Arquitectos",
        country_id="ES",
        city="Madrid",
        official_language_id="es",
        areas=["professional_qualifications"],
    )
    francois, fr_device = person("francois@ordre.example", "François Petit", "fr", fr)
    lucia, es_device = person("lucia@consejo.example", "Lucía García", "es", es)

    requester = _new_page(browser, live_server, language="fr")
    _sign_in(requester, francois.email, lambda: _code(fr_device))
    requester.goto("/requests/new/?legal_area=professional_qualifications")
    requester.page.locator("#id_responder_q").fill("Madrid")
    with requester.page.expect_navigation():
        requester.page.locator("button[name=find]").click()
    requester.page.locator(f"input[name=responder][value='{es.pk}']").check(force=True)
    requester.page.locator("#id_subject_name").fill("Jean Dupont")
    requester.page.locator("input[name=questions][value=diploma_authentic]").check(force=True)
    requester.page.locator("#id_free_text").fill("Merci de vérifier le diplôme de l'architecte.")
    fill_date(requester.page, "reply_by", timezone.localdate() + datetime.timedelta(days=20))
    with requester.page.expect_navigation():
        requester.page.locator("button[name=send]").click()
    requester.audit()
    r = InformationRequest.objects.get()

    responder = _new_page(browser, live_server, language="es")
    _sign_in(responder, lucia.email, lambda: _code(es_device))
    responder.goto(f"/requests/{r.pk}/")
    assert responder.page.locator("html").get_attribute("lang") == "es"
    show_in_my_language(responder)
    translated = responder.page.locator("#free_text .openimi-machine-translation")
    assert "diploma" in translated.inner_text().lower() and "apertium" in translated.inner_text()
    assert "fr → es" in translated.inner_text()
    responder.page.locator("#free_text summary").click()
    assert "Merci de vérifier" in responder.page.locator("#free_text details").inner_text()
    act(responder, "accept")
    act(responder, "request_clarification", text="¿Cuál es el número de colegiado del arquitecto?")

    requester.goto(f"/requests/{r.pk}/")
    show_in_my_language(requester)
    message = requester.page.locator(".openimi-machine-translation").last.inner_text()
    assert "es → fr" in message and "architecte" in message.lower()
    assert state_of(r) == State.AWAITING_INFORMATION
    assert requester.violations + responder.violations == []


def state_of(r) -> str:
    r.refresh_from_db()
    return r.state


def test_portuguese_to_english_goes_through_a_pivot(browser, live_server, apertium):  # noqa: F811
    pt = AuthorityFactory(
        official_name="Ordem dos Arquitectos", country_id="PT", official_language_id="pt", areas=["services"]
    )
    ie = AuthorityFactory(
        official_name="Royal Institute of the Architects of Ireland",
        country_id="IE",
        official_language_id="en",
        areas=["services"],
    )
    joao, _device = person("joao@ordem.example", "João Silva", "pt", pt)
    aoife, ie_device = person("aoife@riai.example", "Aoife Byrne", "en", ie)
    r = request_create(
        actor=joao,
        requester=pt,
        data=DraftData(
            legal_area="services",
            responder=ie.pk,
            subject_name="Maria Santos",
            questions=["legally_established"],
            free_text="Solicitamos a confirmação do registo do prestador de serviços.",
            free_text_language="pt",
            reply_by=timezone.localdate() + datetime.timedelta(days=20),
        ),
    )
    request_act(actor=joao, request=r, action="submit")

    reader = _new_page(browser, live_server, language="en")
    _sign_in(reader, aoife.email, lambda: _code(ie_device))
    reader.goto(f"/requests/{r.pk}/")
    show_in_my_language(reader)
    translated = reader.page.locator("#free_text .openimi-machine-translation").inner_text()
    assert "pt → es → en" in translated
    assert "registration" in translated.lower() or "register" in translated.lower()
    assert reader.violations == []
