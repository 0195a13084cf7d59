"""A request from France to Germany in the browser, each side in its own interface language,
through accept, clarification, answer, further questions and closing, and a second request
withdrawn; axe-core audits every page on the way."""

import datetime

import pytest
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from openimi.directory.models import CoordinatorFunction
from openimi.exchanges.models import InformationRequest, State
from openimi.exchanges.services import DraftData, request_create
from openimi.tests.factories import AuthorityFactory, UserFactory, member
from openimi.web.tests.test_browser import _code, _new_page, _sign_in, browser  # noqa: F401 - fixture
from openimi.web.tests.test_browser_dates import fill_date

pytestmark = [
    pytest.mark.serial,
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("reference_data"),
]


def act(ui, name: str, text: str | None = None, fields: dict | None = None) -> None:
    """Press the button of workflow action ``name`` (opening its details panel if it has one);
    an irreversible one is a link to its confirmation page, audited too, where it is confirmed."""
    link = ui.page.locator(f'main a[href$="/act/{name}/"]')
    if link.count():
        with ui.page.expect_navigation():
            link.click()
        ui.audit()
        assert ui.page.locator(".govuk-warning-text").count() == 1
    form = ui.page.locator(f'form:has(input[name="{name}-action"])')
    details = ui.page.locator(f"details:has(input[name=action][value={name}])")
    if details.count() and details.get_attribute("open") is None:
        details.locator("summary").click()
    if text is not None:
        form.locator("textarea").fill(text)
    for selector, value in (fields or {}).items():
        field = form.locator(selector)
        if field.evaluate("element => element.tagName") == "SELECT":
            field.select_option(value)
        else:
            field.fill(value)
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
    reply_by = timezone.localdate() + datetime.timedelta(days=21)

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
    fill_date(requester.page, "reply_by", reply_by)
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
    fill_date(requester.page, "reply_by", reply_by)
    with requester.page.expect_navigation():
        requester.page.locator("button[name=send]").click()
    # The withdrawal is confirmed on a page of its own, which wants the reason: confirming
    # without one shows the error there (summary, title) and withdraws nothing.
    with requester.page.expect_navigation():
        requester.page.locator('main a[href$="/act/withdraw/"]').click()
    with requester.page.expect_navigation():
        requester.page.locator('form:has(input[name="withdraw-action"]) button[type=submit]').click()
    requester.audit()
    assert requester.page.title().startswith("Erreur")
    assert requester.page.locator(".govuk-error-summary a[href='#id_withdraw-text']").count() == 1
    assert InformationRequest.objects.get(subject_name="Marie Curie").state == State.SENT
    act(requester, "withdraw", text="Envoyée par erreur.")
    assert InformationRequest.objects.get(subject_name="Marie Curie").state == State.WITHDRAWN

    assert requester.violations + responder.violations == []


def test_other_paths_forward_dates_referral_approval_allocation(browser, live_server, people):  # noqa: F811
    """The remaining actions of the workflow, in Italian and Polish interfaces this time."""
    fr, de, francois, hanna, devices = people
    bavaria = AuthorityFactory(
        official_name="Architektenkammer Bayern",
        country_id="DE",
        city="München",
        official_language_id="de",
        areas=["professional_qualifications"],
    )
    allocator = UserFactory(email="anna@ak-bayern.example", full_name="Anna Verteilerin", language="pl")
    member(allocator, bavaria, "request_allocator")
    bavarian = UserFactory(email="bernd@ak-bayern.example", full_name="Bernd Bearbeiter", language="de")
    member(bavarian, bavaria, "request_handler")
    coordinator_authority = AuthorityFactory(
        official_name="Direction générale des entreprises", country_id="FR", official_language_id="fr", kind="ministry"
    )
    CoordinatorFunction.objects.create(authority=coordinator_authority, kind="national", country_id="FR")
    claire = UserFactory(email="claire@dge.example", full_name="Claire Martin", language="it")
    member(claire, coordinator_authority, "local_admin")
    francois.language = "it"
    francois.save()
    for user in (allocator, claire):
        devices[user.email] = TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    fr.requests_need_approval = True
    fr.save()
    reply_by = timezone.localdate() + datetime.timedelta(days=21)
    draft = request_create(
        actor=francois,
        requester=fr,
        data=DraftData(
            legal_area="professional_qualifications",
            responder=de.pk,
            subject_name="Jean Dupont",
            questions=["diploma_authentic"],
            reply_by=reply_by,
        ),
    )

    requester = _new_page(browser, live_server, language="it")
    _sign_in(requester, francois.email, lambda: _code(devices[francois.email]))
    requester.goto(f"/requests/{draft.pk}/")
    assert requester.page.locator("html").get_attribute("lang") == "it"
    act(requester, "note", text="Da verificare con il collega.")
    act(requester, "submit")
    draft.refresh_from_db()
    assert draft.state == State.AWAITING_APPROVAL

    coordinator = _new_page(browser, live_server, language="it")
    _sign_in(coordinator, claire.email, lambda: _code(devices[claire.email]))
    coordinator.goto("/requests/coordination/")
    with coordinator.page.expect_navigation():
        coordinator.page.get_by_role("link", name=draft.reference).click()
    coordinator.audit()
    assert "Da verificare" not in coordinator.page.content()  # internal notes stay inside the authority
    act(coordinator, "reject", text="Precisare l'identità.")
    assert state_of(draft.reference) == State.DRAFT
    requester.page.reload()
    act(requester, "submit")
    coordinator.page.reload()
    act(coordinator, "approve")
    assert state_of(draft.reference) == State.SENT

    responder = _new_page(browser, live_server, language="de")
    _sign_in(responder, hanna.email, lambda: _code(devices[hanna.email]))
    responder.goto(f"/requests/{draft.pk}/")
    act(
        responder,
        "forward",
        text="Zuständig ist die Kammer in Bayern.",
        fields={"select[name='forward-to_authority']": str(bavaria.pk)},
    )
    draft.refresh_from_db()
    assert draft.responder == bavaria and draft.state == State.SENT

    distributor = _new_page(browser, live_server, language="pl")
    _sign_in(distributor, allocator.email, lambda: _code(devices[allocator.email]))
    distributor.goto(f"/requests/{draft.pk}/")
    assert distributor.page.locator("html").get_attribute("lang") == "pl"
    act(distributor, "accept")
    act(distributor, "allocate", fields={"select[name='allocate-handler']": str(bavarian.pk)})
    draft.refresh_from_db()
    assert draft.state == State.ACCEPTED and draft.responder_handler == bavarian
    new_date = reply_by + datetime.timedelta(days=14)
    typed = {
        f"input[name='propose_date-date-{part}']": str(getattr(new_date, part)) for part in ("day", "month", "year")
    }
    act(distributor, "propose_date", text="Archiwum jest zamknięte.", fields=typed)
    draft.refresh_from_db()
    assert draft.proposed_reply_by == new_date

    requester.page.reload()
    act(requester, "agree_date")
    draft.refresh_from_db()
    assert draft.reply_by == new_date and draft.proposed_reply_by is None
    act(requester, "refer", text="Nessuna risposta nel merito.")
    coordinator.goto(f"/requests/{draft.pk}/")
    act(coordinator, "comment", text="Ho contattato il coordinatore tedesco.")
    act(coordinator, "remind")
    assert {e.action for e in draft.events.all()} >= {
        "note",
        "submit",
        "reject",
        "approve",
        "forward",
        "accept",
        "allocate",
        "propose_date",
        "agree_date",
        "refer",
        "comment",
        "remind",
    }

    assert requester.violations + coordinator.violations + responder.violations + distributor.violations == []
