"""A request from France to Germany in the browser, each side in its own interface language,
through accept, clarification, answer, further questions and closing, and a second request
withdrawn; axe-core audits every page on the way."""

import datetime

import pytest
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from openimi.exchanges.models import InformationRequest, State
from openimi.tests.factories import AuthorityFactory, UserFactory, member
from openimi.web.tests.test_browser import _code, _new_page, _sign_in, browser  # noqa: F401 - fixture

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("reference_data")]


def act(ui, name: str, text: str | None = None, fields: dict | None = None) -> None:
    """Press the button of workflow action ``name`` (opening its details panel if it has one)."""
    form = ui.page.locator(f"form:has(input[name=action][value={name}])")
    details = ui.page.locator(f"details:has(input[name=action][value={name}])")
    if details.count():
        details.locator("summary").click()
    if text is not None:
        form.locator("textarea").fill(text)
    for selector, value in (fields or {}).items():
        form.locator(selector).select_option(value)
    with ui.page.expect_navigation():
        form.locator("button[type=submit]").click()
    ui.audit()


def state_of(reference: str) -> str:
    return InformationRequest.objects.get(reference=reference).state


@pytest.fixture
def people(db):
    fr = AuthorityFactory(
        official_name="Ordre des architectes d'Île-de-France",
        country_id="FR",
        city="Paris",
        official_language_id="fr",
        areas=["professional_qualifications"],
    )
    de = AuthorityFactory(
        official_name="Architektenkammer Berlin",
        country_id="DE",
        city="Berlin",
        official_language_id="de",
        areas=["professional_qualifications"],
    )
    francois = UserFactory(email="francois@architectes.example", full_name="François Petit", language="fr")
    member(francois, fr, "request_handler")
    hanna = UserFactory(email="hanna@ak-berlin.example", full_name="Hanna Schmidt", language="de")
    member(hanna, de, "request_handler")
    devices = {u.email: TOTPDevice.objects.create(user=u, name="phone", confirmed=True) for u in (francois, hanna)}
    return fr, de, francois, hanna, devices


def test_request_from_france_to_germany_in_two_languages(browser, live_server, people):  # noqa: F811
    fr, de, francois, hanna, devices = people
    reply_by = (timezone.localdate() + datetime.timedelta(days=21)).isoformat()

    requester = _new_page(browser, live_server, language="fr")
    _sign_in(requester, francois.email, lambda: _code(devices[francois.email]))
    assert requester.page.locator("html").get_attribute("lang") == "fr"
    requester.goto("/requests/new/")
    requester.page.locator("#id_legal_area").select_option("professional_qualifications")
    with requester.page.expect_navigation():
        requester.page.locator("button[name=change_area]").click()
    requester.audit()
    requester.page.locator("#id_responder_q").fill("Berlin")
    with requester.page.expect_navigation():
        requester.page.locator("button[name=find]").click()
    requester.audit()
    requester.page.locator(f"input[name=responder][value='{de.pk}']").check(force=True)
    requester.page.locator("#id_subject_name").fill("Jean Dupont")
    requester.page.locator("#id_subject_identifiers").fill("ARCH-75-1234")
    for code in ("diploma_authentic", "entitled_to_practise"):
        requester.page.locator(f"input[name=questions][value={code}]").check(force=True)
    requester.page.locator("#id_free_text").fill("Merci de vérifier l'authenticité du diplôme.")
    requester.page.locator("#id_reply_by").fill(reply_by)
    with requester.page.expect_navigation():
        requester.page.locator("button[name=send]").click()
    requester.audit()
    reference = InformationRequest.objects.get().reference
    assert state_of(reference) == State.SENT

    responder = _new_page(browser, live_server, language="de")
    _sign_in(responder, hanna.email, lambda: _code(devices[hanna.email]))
    assert responder.page.locator("html").get_attribute("lang") == "de"
    responder.goto("/requests/")
    with responder.page.expect_navigation():
        responder.page.get_by_role("link", name=reference).click()
    responder.audit()
    assert "Jean Dupont" in responder.page.content()
    act(responder, "accept")
    assert state_of(reference) == State.ACCEPTED
    act(responder, "request_clarification", text="Welches Diplom genau?")
    assert state_of(reference) == State.AWAITING_INFORMATION

    requester.goto(f"/requests/{InformationRequest.objects.get().pk}/")
    assert "Welches Diplom genau?" in requester.page.content()
    act(requester, "give_clarification", text="Le diplôme d'État d'architecte de 2004.")
    assert state_of(reference) == State.ACCEPTED

    responder.page.reload()
    responder.audit()
    responder.page.locator("input[name='answer-q_diploma_authentic'][value=yes]").check(force=True)
    responder.page.locator("input[name='answer-q_entitled_to_practise'][value=yes]").check(force=True)
    responder.page.locator("#id_answer-text").fill("Das Diplom ist echt.")
    with responder.page.expect_navigation():
        responder.page.locator("form[action$='/answer/'] button[type=submit]").click()
    responder.audit()
    assert state_of(reference) == State.ANSWERED

    requester.page.reload()
    requester.audit()
    assert "Oui" in requester.page.content()  # the answer, in the reader's own language
    act(requester, "ask_further", text="Est-il inscrit au tableau depuis 2010 ?")
    assert state_of(reference) == State.ACCEPTED
    responder.page.reload()
    responder.page.locator("#id_answer-text").fill("Ja, seit 2009.")
    with responder.page.expect_navigation():
        responder.page.locator("form[action$='/answer/'] button[type=submit]").click()
    assert state_of(reference) == State.ANSWERED
    requester.page.reload()
    act(requester, "accept_answer", fields={"select[name='accept_answer-rating_timeliness']": "5"})
    request = InformationRequest.objects.get()
    assert request.state == State.CLOSED and request.rating_timeliness == 5

    # A second request, withdrawn after sending.
    requester.goto("/requests/new/?legal_area=professional_qualifications")
    requester.page.locator("#id_responder_q").fill("Berlin")
    with requester.page.expect_navigation():
        requester.page.locator("button[name=find]").click()
    requester.page.locator(f"input[name=responder][value='{de.pk}']").check(force=True)
    requester.page.locator("#id_subject_name").fill("Marie Curie")
    requester.page.locator("input[name=questions][value=diploma_authentic]").check(force=True)
    requester.page.locator("#id_reply_by").fill(reply_by)
    with requester.page.expect_navigation():
        requester.page.locator("button[name=send]").click()
    act(requester, "withdraw")
    assert InformationRequest.objects.get(subject_name="Marie Curie").state == State.WITHDRAWN

    assert requester.violations + responder.violations == []
