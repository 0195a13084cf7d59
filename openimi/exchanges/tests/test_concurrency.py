"""Two people act on the same request at the same moment: exactly one action wins, the other
is told that the request changed. Real threads, real transactions, on whichever database the
suite runs (CI runs it on PostgreSQL and on SQLite)."""

import threading

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection

from openimi.exchanges.models import InformationRequest, State
from openimi.exchanges.services import RequestChanged, attachment_add, request_act, request_create
from openimi.exchanges.tests.test_workflow import draft_data
from openimi.tests.factories import UserFactory, member

pytestmark = [pytest.mark.serial, pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("reference_data")]


def race(*calls):
    barrier = threading.Barrier(len(calls))
    outcomes = [None] * len(calls)

    def run(i, fn):
        try:
            barrier.wait()
            fn()
            outcomes[i] = "won"
        except (RequestChanged, ValidationError) as exc:
            outcomes[i] = type(exc).__name__
        except Exception as exc:  # reported in the assertion below
            outcomes[i] = repr(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, fn)) for i, fn in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    return outcomes


@pytest.mark.parametrize("rounds", range(3))
def test_accept_and_withdraw_at_the_same_moment(fr_handler, fr_authority, de_authority, de_handler, rounds):
    request = request_create(actor=fr_handler, requester=fr_authority, data=draft_data(de_authority))
    request = request_act(actor=fr_handler, request=request, action="submit")
    version = request.version
    outcomes = race(
        lambda: request_act(actor=de_handler, request=request, action="accept", version=version),
        lambda: request_act(actor=fr_handler, request=request, action="withdraw", version=version),
    )
    assert sorted(outcomes) == ["RequestChanged", "won"]
    final = InformationRequest.objects.get(pk=request.pk)
    assert final.state in (State.ACCEPTED, State.WITHDRAWN)
    assert final.version == version + 1
    assert final.events.filter(action__in=["accept", "withdraw"]).count() == 1


def test_two_handlers_accept_at_once(fr_handler, fr_authority, de_authority, de_handler):
    colleague = UserFactory()
    member(colleague, de_authority, "request_handler")
    request = request_create(actor=fr_handler, requester=fr_authority, data=draft_data(de_authority))
    request = request_act(actor=fr_handler, request=request, action="submit")
    # Without a version (as a double-click in two browsers would send the same page's state),
    # the loser finds the request no longer in "sent".
    outcomes = race(
        lambda: request_act(actor=de_handler, request=request, action="accept"),
        lambda: request_act(actor=colleague, request=request, action="accept"),
    )
    assert outcomes.count("won") == 1
    assert InformationRequest.objects.get(pk=request.pk).events.filter(action="accept").count() == 1


@pytest.mark.parametrize("rounds", range(5))
def test_upload_and_withdraw_at_the_same_moment(
    fr_handler, fr_authority, de_authority, de_handler, settings, tmp_path, rounds
):
    settings.MEDIA_ROOT = tmp_path / "media"
    request = request_create(actor=fr_handler, requester=fr_authority, data=draft_data(de_authority))
    request = request_act(actor=fr_handler, request=request, action="submit")
    upload = SimpleUploadedFile("evidence.txt", b"plain text", content_type="text/plain")
    outcomes = race(
        lambda: attachment_add(actor=de_handler, request=request, upload=upload),
        lambda: request_act(actor=fr_handler, request=request, action="withdraw", version=request.version),
    )
    # The withdrawal always wins; the upload either came first or is refused for the state.
    assert outcomes[1] == "won" and outcomes[0] in ("won", "ValidationError"), outcomes
    final = InformationRequest.objects.get(pk=request.pk)
    assert final.state == State.WITHDRAWN
    timeline = list(final.events.order_by("at", "id").values_list("action", "from_state"))
    assert timeline[-1] == ("withdraw", State.SENT)
    assert [e for e in timeline if e[0] == "attachment_added"] == (
        [("attachment_added", State.SENT)] if outcomes[0] == "won" else []
    )
    files = [p for p in settings.MEDIA_ROOT.rglob("*") if p.is_file()]
    assert len(files) == final.attachments.count() == (outcomes[0] == "won")
