"""Request pages: compose, act, answer, and who may see what."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone, translation

from openimi.exchanges.models import InformationRequest, RequestSeen, State
from openimi.exchanges.services import RequestChanged, request_act, request_create, request_seen
from openimi.exchanges.tests.test_workflow import draft_data
from openimi.tests.factories import AuthorityFactory, UserFactory, date_fields, member


@pytest.fixture
def sent(fr_handler, fr_authority, de_authority, de_handler):
    r = request_create(actor=fr_handler, requester=fr_authority, data=draft_data(de_authority))
    return request_act(actor=fr_handler, request=r, action="submit")


def test_compose_and_send_from_the_page(client_for, fr_handler, fr_authority, de_authority, de_handler):
    client = client_for(fr_handler)
    page = client.get(reverse("exchanges:compose"), {"legal_area": "professional_qualifications"})
    assert page.status_code == 200
    data = {
        "requester": fr_authority.pk,
        "legal_area": "professional_qualifications",
        "responder": de_authority.pk,
        "subject_name": "Jean Dupont",
        "questions": ["diploma_authentic", "entitled_to_practise"],
        "free_text": "Bonjour",
        "free_text_language": "fr",
        **date_fields("reply_by", timezone.localdate() + datetime.timedelta(days=10)),
        "send": "1",
    }
    response = client.post(reverse("exchanges:compose"), data)
    r = InformationRequest.objects.get()
    assert response.status_code == 302 and r.state == State.SENT
    inbox = client_for(de_handler).get(reverse("exchanges:inbox")).content.decode()
    assert r.reference in inbox


def test_compose_errors_keep_the_draft_unsent(client_for, fr_handler, fr_authority, de_authority):
    response = client_for(fr_handler).post(
        reverse("exchanges:compose"),
        {
            "requester": fr_authority.pk,
            "legal_area": "professional_qualifications",
            "free_text_language": "fr",
            **date_fields("reply_by", datetime.date(2001, 1, 1)),
            "send": "1",
        },
    )
    assert response.status_code == 200
    assert "govuk-error-summary" in response.content.decode()
    assert not InformationRequest.objects.filter(state=State.SENT).exists()


def test_finding_responders_lists_competent_authorities_abroad(client_for, fr_handler, fr_authority, de_authority):
    AuthorityFactory(
        official_name="Ordre des architectes de Lyon", country_id="FR", areas=["professional_qualifications"]
    )
    response = client_for(fr_handler).post(
        reverse("exchanges:compose"),
        {
            "requester": fr_authority.pk,
            "legal_area": "professional_qualifications",
            "responder_q": "architekt",
            "free_text_language": "fr",
            "find": "1",
        },
    )
    page = response.content.decode()
    assert "Architektenkammer Berlin" in page and "Ordre des architectes de Lyon" not in page
    assert not InformationRequest.objects.exists()


def test_responder_accepts_and_answers_on_the_page(client_for, sent, de_handler, fr_handler):
    client = client_for(de_handler)
    page = client.get(reverse("exchanges:detail", args=[sent.pk]))
    assert "Jean Dupont" in page.content.decode()
    client.post(
        reverse("exchanges:act", args=[sent.pk]),
        {"action": "accept", "accept-action": "accept", "accept-version": sent.version},
    )
    sent.refresh_from_db()
    assert sent.state == State.ACCEPTED
    response = client.post(
        reverse("exchanges:answer", args=[sent.pk]),
        {
            "version": sent.version,
            "answer-q_diploma_authentic": "yes",
            "answer-q_entitled_to_practise": "yes",
            "answer-q_experience_confirmed": "no",
            "answer-text": "Alles korrekt.",
        },
    )
    assert response.status_code == 302
    sent.refresh_from_db()
    assert sent.state == State.ANSWERED
    fr_page = (
        client_for(fr_handler)
        .get(reverse("exchanges:detail", args=[sent.pk]), HTTP_ACCEPT_LANGUAGE="fr")
        .content.decode()
    )
    assert "Alles korrekt." in fr_page and 'lang="de"' in fr_page


def test_stale_page_gets_a_reload_message(client_for, sent, de_handler):
    client = client_for(de_handler)
    client.post(
        reverse("exchanges:act", args=[sent.pk]),
        {"action": "note", "note-action": "note", "note-version": sent.version, "note-text": "a"},
    )
    response = client.post(
        reverse("exchanges:act", args=[sent.pk]),
        {"action": "accept", "accept-action": "accept", "accept-version": sent.version},
        follow=True,
    )
    with translation.override(de_handler.language):
        expected = str(RequestChanged())
    assert expected in response.content.decode()
    sent.refresh_from_db()
    assert sent.state == State.SENT


def test_outsiders_get_404_for_page_and_documents(client_for, sent, outsider, fr_handler):
    sent.attachments.create  # noqa: B018 - relation exists
    client = client_for(fr_handler)
    client.post(
        reverse("exchanges:upload", args=[sent.pk]),
        {"file": SimpleUploadedFile("note.txt", b"plain text", content_type="text/plain")},
    )
    attachment = sent.attachments.get()
    other = AuthorityFactory(country_id="IT", areas=["professional_qualifications"])
    stranger = UserFactory()
    member(stranger, other, "request_handler")
    for user in (outsider, stranger):
        c = client_for(user)
        assert c.get(reverse("exchanges:detail", args=[sent.pk])).status_code == 404
        assert c.get(reverse("exchanges:download", args=[sent.pk, attachment.pk])).status_code == 404
        assert c.post(reverse("exchanges:act", args=[sent.pk]), {"action": "withdraw"}).status_code == 404
    assert client.get(reverse("exchanges:download", args=[sent.pk, attachment.pk])).status_code == 200


def test_coordinator_out_of_scope_sees_nothing(client_for, sent, de_coordinator, fr_coordinator):
    for user in (de_coordinator, fr_coordinator):
        assert client_for(user).get(reverse("exchanges:detail", args=[sent.pk])).status_code == 404


def test_disguised_upload_is_refused(client_for, sent, fr_handler):
    response = client_for(fr_handler).post(
        reverse("exchanges:upload", args=[sent.pk]),
        {"file": SimpleUploadedFile("cv.pdf", b"MZ\x90\x00" + b"\x00" * 64)},
    )
    page = response.content.decode()
    assert response.status_code == 200 and "govuk-error-summary" in page and 'href="#id_file"' in page
    assert "govuk-form-group--error" in page
    assert not sent.attachments.exists()


def test_box_filters_and_odd_parameters(client_for, sent, de_handler):
    client = client_for(de_handler)
    for params in (
        {"state": "sent"},
        {"state": "nonsense"},
        {"overdue": "on"},
        {"country": "FR"},
        {"sort": "reply_by"},
        {"page": "999"},
        {"q": "\x00"},
        {"handler": "me"},
    ):
        assert client.get(reverse("exchanges:inbox"), params).status_code == 200
    assert sent.reference in client.get(reverse("exchanges:inbox"), {"country": "FR"}).content.decode()
    assert sent.reference not in client.get(reverse("exchanges:inbox"), {"country": "IT"}).content.decode()


def test_inbox_page_query_count_is_bounded(
    client_for, fr_handler, fr_authority, de_authority, de_handler, django_assert_max_num_queries
):
    for _ in range(10):
        r = request_create(actor=fr_handler, requester=fr_authority, data=draft_data(de_authority))
        request_act(actor=fr_handler, request=r, action="submit")
    client = client_for(de_handler)
    with django_assert_max_num_queries(25):
        response = client.get(reverse("exchanges:inbox"))
    assert response.status_code == 200


@pytest.mark.parametrize(
    "data",
    [
        {"requester": "abc"},
        {"requester": "999999"},
        {"legal_area": "<x>"},
        {"responder": "x"},
        {"responder_country": "ZZZZ", "find": "1"},
    ],
)
def test_odd_compose_input_never_breaks(client_for, fr_handler, fr_authority, data):
    response = client_for(fr_handler).post(reverse("exchanges:compose"), {"free_text_language": "fr", **data})
    assert response.status_code == 200
    assert not InformationRequest.objects.exists()


def test_coordinator_page_lists_requests_to_approve_and_referred(
    client_for, fr_handler, fr_authority, de_authority, de_handler, fr_coordinator
):
    fr_authority.requests_need_approval = True
    fr_authority.save()
    waiting = request_act(
        actor=fr_handler,
        action="submit",
        request=request_create(actor=fr_handler, requester=fr_authority, data=draft_data(de_authority)),
    )
    page = client_for(fr_coordinator).get(reverse("exchanges:coordination")).content.decode()
    assert waiting.reference in page
    assert client_for(fr_coordinator).get(reverse("exchanges:detail", args=[waiting.pk])).status_code == 200


def test_forward_from_the_page_offers_authorities_of_the_responders_country(client_for, sent, de_handler):
    other = AuthorityFactory(
        official_name="Architektenkammer Bayern", country_id="DE", areas=["professional_qualifications"]
    )
    AuthorityFactory(
        official_name="Ordine degli Architetti di Roma", country_id="IT", areas=["professional_qualifications"]
    )
    client = client_for(de_handler)
    confirm = reverse("exchanges:confirm", args=[sent.pk, "forward"])
    assert confirm in client.get(reverse("exchanges:detail", args=[sent.pk])).content.decode()
    page = client.get(confirm).content.decode()
    assert "Architektenkammer Bayern" in page and "Ordine degli Architetti di Roma" not in page
    client.post(
        confirm,
        {
            "forward-action": "forward",
            "forward-version": sent.version,
            "forward-to_authority": other.pk,
            "forward-text": "Zuständig ist Bayern.",
        },
    )
    sent.refresh_from_db()
    assert sent.responder == other


def test_the_inbox_marks_requests_not_opened_since_their_last_change(client_for, sent, fr_handler, de_handler):
    web = client_for(de_handler)
    assert web.get(reverse("exchanges:inbox")).context["page"][0].is_new
    assert web.get(reverse("exchanges:detail", args=[sent.pk])).status_code == 200
    seen = RequestSeen.objects.get(user=de_handler, request=sent)
    assert not web.get(reverse("exchanges:inbox")).context["page"][0].is_new
    # Changed since: new again; opening it again moves seen_at on.
    InformationRequest.objects.filter(pk=sent.pk).update(updated_at=timezone.now() + datetime.timedelta(seconds=1))
    assert web.get(reverse("exchanges:inbox")).context["page"][0].is_new
    web.get(reverse("exchanges:detail", args=[sent.pk]))
    assert RequestSeen.objects.get(pk=seen.pk).seen_at > seen.seen_at
    assert RequestSeen.objects.filter(user=de_handler).count() == 1
    # The sender's outbox is separate: they have not opened it either.
    assert client_for(fr_handler).get(reverse("exchanges:outbox")).context["page"][0].is_new


def test_the_authority_column_shows_only_for_members_of_several_authorities(client_for, sent, de_handler):
    page = client_for(de_handler).get(reverse("exchanges:inbox")).content.decode()
    # The user's own authority (the responder) is named only in that column.
    assert sent.responder.official_name not in page and "openimi-nowrap" in page
    other = AuthorityFactory(country_id="DE", official_name="Zahnärztekammer Berlin")
    member(de_handler, other, "request_handler")
    page = client_for(de_handler).get(reverse("exchanges:inbox")).content.decode()
    assert sent.responder.official_name in page


def test_only_a_reader_of_the_request_can_mark_it_seen(sent, outsider):
    from_before = RequestSeen.objects.count()
    with pytest.raises(PermissionDenied):
        request_seen(actor=outsider, request=sent)
    assert RequestSeen.objects.count() == from_before
