"""eTranslation is asynchronous: OpenIMI submits with HTTP Digest and callback addresses; the
stand-in answers with a request id and later POSTs the translation to the live server."""

import time

import pytest
from django.test import Client

from openimi.translation.engines import ETranslationEngine
from openimi.translation.models import CachedTranslation, PendingTranslation
from openimi.translation.services import translate
from openimi.translation.tests.standins import ETranslationHandler, StandIn

pytestmark = [pytest.mark.serial, pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("reference_data")]


def engine(server, live_server, password="secret"):
    return ETranslationEngine(
        url=server.url + "/etranslation/si/translate",
        application="openimi-test",
        password=password,
        callback_url=live_server.url + "/translation/etranslation",
        timeout=5,
    )


def test_asynchronous_translation_arrives_by_callback(live_server):
    with StandIn(ETranslationHandler, api_key="secret") as server:
        first = translate(
            "Guten Tag, bitte bestätigen Sie das Diplom.", "de", "et", engines=[engine(server, live_server)]
        )
        assert first.pending and not first.ok and first.error
        sent = server.received[0]
        assert sent["sourceLanguage"] == "DE" and sent["targetLanguages"] == ["ET"]
        assert sent["requesterCallback"].startswith(live_server.url)
        # The stand-in records the callback's answer after our view has stored the translation,
        # so wait for that record (a loaded machine can take seconds), not for the row.
        deadline = time.monotonic() + 30
        while not server.callbacks and time.monotonic() < deadline:
            time.sleep(0.1)
        assert server.callbacks == ["ok"]
        assert CachedTranslation.objects.exists()
        done = translate(
            "Guten Tag, bitte bestätigen Sie das Diplom.", "de", "et", engines=[engine(server, live_server)]
        )
        assert done.ok and done.cached and done.text.startswith("[ET] Guten Tag")
        assert done.engines == ["etranslation"]
        assert len(server.received) == 1  # asked once, answered from the cache afterwards


def test_wrong_credentials_are_a_message_not_a_crash(live_server):
    with StandIn(ETranslationHandler, api_key="secret") as server:
        result = translate("Guten Tag", "de", "et", engines=[engine(server, live_server, password="wrong")])
        assert not result.ok and not result.pending and result.error
        assert not PendingTranslation.objects.exists()


def test_callbacks_with_an_unknown_token_change_nothing(live_server):
    response = Client().post("/translation/etranslation/forged/done", {"translated-text": "x"})
    assert response.status_code == 404 and not CachedTranslation.objects.exists()
    assert Client().get("/translation/etranslation/forged/done").status_code == 405


def test_error_callback_lets_the_next_view_ask_again(live_server):
    with StandIn(ETranslationHandler, api_key="secret") as server:
        server.server.auto_callback = False  # this time eTranslation reports an error instead
        result = translate("Hallo", "de", "et", engines=[engine(server, live_server)])
        assert result.pending
        pending = PendingTranslation.objects.get()
        Client().post(
            f"/translation/etranslation/{pending.token}/error", {"error-code": "-20000", "error-message": "failed"}
        )
        pending.refresh_from_db()
        assert pending.error.startswith("-20000")


def test_a_late_second_callback_is_harmless(live_server):
    with StandIn(ETranslationHandler, api_key="secret") as server:
        server.server.auto_callback = False
        translate("Hallo", "de", "et", engines=[engine(server, live_server)])
        token = PendingTranslation.objects.get().token
        assert Client().post(f"/translation/etranslation/{token}/done", {"translated-text": "Tere"}).status_code == 200
        response = Client().post(f"/translation/etranslation/{token}/error", {"error-code": "-1"})
        assert response.status_code == 404 and CachedTranslation.objects.get().translated == "Tere"
