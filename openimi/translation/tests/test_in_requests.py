"""A French and a Spanish handler exchange a request, each in their own language: questions
come pre-translated, free text through "Show in my language" (page) or ``translate_to`` (API)."""

import datetime

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext

from openimi.directory.members import token_issue
from openimi.exchanges.services import DraftData, request_act, request_create
from openimi.tests import queries as counts
from openimi.tests.factories import AuthorityFactory, UserFactory, member
from openimi.translation import engines, services


@pytest.fixture
def exchange(fr_handler, fr_authority, apertium):
    es_authority = AuthorityFactory(
        official_name="Consejo Superior de Arquitectos",
        country_id="ES",
        official_language_id="es",
        areas=["professional_qualifications"],
    )
    es_handler = UserFactory(email="lucia@arquitectos.example", full_name="Lucía García", language="es")
    member(es_handler, es_authority, "request_handler")
    r = request_create(
        actor=fr_handler,
        requester=fr_authority,
        data=DraftData(
            legal_area="professional_qualifications",
            responder=es_authority.pk,
            subject_name="Jean Dupont",
            questions=["diploma_authentic"],
            free_text="Merci de vérifier le diplôme.\nCordialement.",
            free_text_language="fr",
            reply_by=timezone.localdate() + datetime.timedelta(days=20),
        ),
    )
    r = request_act(actor=fr_handler, request=r, action="submit")
    r = request_act(actor=es_handler, request=r, action="accept")
    r = request_act(
        actor=es_handler,
        request=r,
        action="request_clarification",
        text="¿Puede indicar el número de registro <b>del</b> arquitecto?",
        language="es",
    )
    return r, es_handler, es_authority


def test_the_spanish_handler_reads_the_french_message_in_spanish(client_for, exchange):
    r, es_handler, _ = exchange
    client = client_for(es_handler)
    page = client.get(reverse("exchanges:detail", args=[r.pk])).content.decode()
    assert "Merci de vérifier le diplôme." in page and "?translate=1" in page
    page = client.get(reverse("exchanges:detail", args=[r.pk]), {"translate": "1"}).content.decode()
    assert "diploma" in page.lower()
    assert "apertium" in page and "fr → es" in page
    assert "Merci de vérifier le diplôme." in page  # the original stays one click away
    question = r.chosen.get().question
    assert question.texts["es"] in page  # the question itself comes pre-translated


def test_the_french_handler_reads_the_spanish_message_in_french_and_html_stays_text(client_for, exchange, fr_handler):
    r, _, _ = exchange
    page = client_for(fr_handler).get(reverse("exchanges:detail", args=[r.pk]), {"translate": "1"}).content.decode()
    assert "es → fr" in page
    assert "&lt;b&gt;" in page and "<b>del</b>" not in page


def test_the_api_offers_translations_next_to_the_originals(exchange, fr_handler, fr_authority):
    r, _, _ = exchange
    _t, raw = token_issue(actor=fr_handler, authority=fr_authority, name="x")
    client = Client(HTTP_AUTHORIZATION=f"Bearer {raw}")
    body = client.get(f"/api/v1/requests/{r.pk}", {"translate_to": "fr"}).json()
    message = body["messages"][0]
    assert message["language"] == "es" and message["text"].startswith("¿Puede")
    assert message["translation"]["engines"] == ["apertium"] and message["translation"]["route"] == ["es", "fr"]
    assert message["translation"]["machine_translation"] is True
    response = client.get(f"/api/v1/requests/{r.pk}", {"translate_to": "xx"})
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "translate_to"


def test_a_missing_pair_never_breaks_the_page(client_for, exchange, de_authority):
    r, es_handler, _ = exchange
    es_handler.language = "et"
    es_handler.save()
    response = client_for(es_handler).get(reverse("exchanges:detail", args=[r.pk]), {"translate": "1"})
    assert response.status_code == 200
    assert "Merci de vérifier le diplôme." in response.content.decode()


def test_show_in_my_language_is_offered_only_for_a_pair_an_engine_serves(client_for, exchange):
    """Item 2 of issue 13: French text before a German reader. Apertium has no route to German,
    so the page says so up front, with what the operator can configure, instead of a link
    that fails after a round trip."""
    r, es_handler, _ = exchange
    es_handler.language = "de"
    es_handler.save()
    page = client_for(es_handler).get(reverse("exchanges:detail", args=[r.pk])).content.decode()
    assert "?translate=1" not in page
    with translation.override("de"):
        expected = gettext("No machine translation is available from %(source)s to %(target)s.") % {
            "source": "Französisch",
            "target": "Deutsch",
        }
        hint = gettext("Your operator can add this pair by configuring DeepL, eTranslation or LibreTranslate.")
    assert expected in page
    assert hint in page  # what an operator can configure


def test_the_engines_pair_list_is_cached_not_asked_per_page(client_for, exchange, monkeypatch):
    r, es_handler, _ = exchange
    services._pairs_cache.clear()
    calls = []
    real = engines.ApertiumEngine.pairs

    def counting(self):
        calls.append(1)
        return real(self)

    monkeypatch.setattr(engines.ApertiumEngine, "pairs", counting)
    client = client_for(es_handler)
    for _ in range(3):
        page = client.get(reverse("exchanges:detail", args=[r.pk])).content.decode()
        assert "?translate=1" in page
    page = client.get(reverse("exchanges:detail", args=[r.pk]), {"translate": "1"}).content.decode()
    assert "fr → es" in page
    assert len(calls) == 1


def test_an_engine_that_is_down_is_said_up_front(client_for, exchange, settings):
    r, es_handler, _ = exchange
    settings.TRANSLATION_ENGINES = [
        {"class": "openimi.translation.engines.ApertiumEngine", "url": "http://127.0.0.1:9", "timeout": 1}
    ]
    page = client_for(es_handler).get(reverse("exchanges:detail", args=[r.pk])).content.decode()
    assert "?translate=1" not in page
    assert "no está disponible" in page or "not available at the moment" in page


@pytest.mark.parametrize("language", ["es", "de"])
def test_request_page_query_count_with_and_without_an_offer(client_for, exchange, language, django_assert_num_queries):
    """The same with and without an offer: pair lists are cached, names come from CLDR."""
    queries = 15 + counts.audit_write()
    r, es_handler, _ = exchange
    es_handler.language = language
    es_handler.save()
    client = client_for(es_handler)
    client.get(reverse("exchanges:detail", args=[r.pk]))  # warm the pair list and the vocabulary
    with django_assert_num_queries(queries):
        client.get(reverse("exchanges:detail", args=[r.pk]))
