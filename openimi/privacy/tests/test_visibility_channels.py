"""Every declared personal-data field of an exchange, walked through every channel that can
show it — the page (with and without machine translation), the API (with and without
``translate_to``), the document download, the inbox/outbox search and its counts, and the
notifications and their mails — for every persona: the two participants, an observer, an
involved coordinator (approval, escalation), the responder before the request is sent, the
responder after a withdrawal before acceptance, an outsider, and everyone once retention
blocked or deleted it. Each value is a marker found nowhere else, so "absent" means something.
The expected answer comes from one table here, not from exchanges.visibility."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from openimi.directory.members import token_issue
from openimi.directory.models import Authority
from openimi.exchanges import selectors
from openimi.exchanges.models import InformationRequest
from openimi.exchanges.services import DraftData, attachment_add, request_act, request_create
from openimi.exchanges.visibility import SUBJECT_FIELDS, personal_data_visible, visibility_for
from openimi.notifications.models import Notification
from openimi.notifications.tasks import _render
from openimi.privacy.retention import apply_retention
from openimi.privacy.selectors import holdings
from openimi.privacy.services import (
    subject_data_contest,
    subject_data_export,
    subject_data_rectify,
    subject_request_create,
)
from openimi.tests.factories import UserFactory, member
from openimi.translation.models import CachedTranslation

BIRTH_DATE = datetime.date(1971, 3, 4)


class TaggingEngine:
    """A translation engine in this process: it "translates" by tagging the text, so a
    translation carries the original's markers and a leak through translation is visible."""

    name = "tagger"

    def pairs(self):
        languages = ("de", "en", "fr")
        return {(s, t) for s in languages for t in languages if s != t}

    def translate(self, texts, source, target):
        return [f"[{target}] {text}" for text in texts]


def markers(tag: str) -> dict[str, str]:
    """One marker per declared field; the page shows the birth date in the reader's format,
    so its year stands for it there (no other year 1971 is on any page)."""
    return {
        "subject_name": f"Zephyrine Quill{tag}",
        "subject_identifiers": f"QX{tag}7731",
        "subject_address": f"17 Rue Marq{tag}",
        "subject_birth_date": "1971",
        "free_text": f"Le dossier Plume{tag} est urgent.",
        "answer.value": f"Bauleitung Werk{tag}",
        "message.text": f"Bitte Kammer{tag} pruefen.",
        "attachment.original_name": f"Diplom{tag}.pdf",
        "attachment.file": f"Diplom{tag}.pdf",  # checked through the download, see below
        "contest_mark.reason": f"Falsche Adresse {tag}",
    }


# Words a searcher could type, by the field they search.
SEARCHABLE = {"subject_name": "Quill{tag}", "subject_identifiers": "QX{tag}", "free_text": "Plume{tag}"}


def test_every_declared_subject_field_is_walked():
    assert set(markers("x")) == SUBJECT_FIELDS


@pytest.fixture(autouse=True)
def _tagging_engine(settings):
    settings.TRANSLATION_ENGINES = [{"class": f"{__name__}.TaggingEngine"}]


@pytest.fixture
def people(fr_handler, fr_admin, de_handler, de_authority, fr_coordinator, de_coordinator, outsider):
    observer = UserFactory(email="olivia.observer@ak-berlin.example", full_name="Olivia Observer", language="en")
    member(observer, de_authority, "observer")
    return {
        "requester handler": fr_handler,
        "responder handler": de_handler,
        "responder observer": observer,
        "approval coordinator": fr_coordinator,
        "escalation coordinator": de_coordinator,
        "outsider": outsider,
        "_admin": fr_admin,
    }


def _exchange(tag, people, fr_authority, de_authority, *, until: str):
    """A request carrying every marker, taken as far as ``until``."""
    fr, de = people["requester handler"], people["responder handler"]
    m = markers(tag)
    data = DraftData(
        legal_area="professional_qualifications",
        responder=de_authority.pk,
        subject_name=m["subject_name"],
        subject_identifiers=m["subject_identifiers"],
        subject_address=m["subject_address"],
        subject_birth_date=BIRTH_DATE,
        questions=["diploma_authentic", "experience_activities"],
        free_text=m["free_text"],
        free_text_language="fr",
        reply_by=timezone.localdate() + datetime.timedelta(days=20),
    )
    r = request_create(actor=fr, requester=fr_authority, data=data)
    request_act(actor=fr, request=r, action="note", text=m["message.text"], language="de")
    attachment_add(actor=fr, request=r, upload=SimpleUploadedFile(m["attachment.original_name"], b"%PDF-1.4 x"))
    subject_request = subject_request_create(
        actor=people["_admin"], authority=fr_authority, kind="access", person_name=m["subject_name"]
    )
    subject_data_contest(
        actor=people["_admin"], subject_request=subject_request, request_pk=r.pk, reason=m["contest_mark.reason"]
    )
    if until == "draft":
        return r
    if until == "awaiting approval":
        fr_authority.requests_need_approval = True
        fr_authority.save(update_fields=["requests_need_approval"])
        return request_act(actor=fr, request=r, action="submit")
    r = request_act(actor=fr, request=r, action="submit")
    if until == "withdrawn before acceptance":
        return request_act(actor=fr, request=r, action="withdraw")
    r = request_act(actor=de, request=r, action="accept")
    r = request_act(
        actor=de,
        request=r,
        action="answer",
        answers={"diploma_authentic": "yes", "experience_activities": m["answer.value"]},
        text=m["message.text"],
        language="de",
    )
    if until == "answered":
        # Overdue and escalated: the responder's coordinator is involved.
        InformationRequest.objects.filter(pk=r.pk).update(escalated_at=timezone.now(), is_overdue=True)
        return InformationRequest.objects.get(pk=r.pk)
    r = request_act(actor=fr, request=r, action="accept_answer")
    return r


ALL, NONE, GONE = "all", "none", "404"
# scenario -> persona -> what they get: every field (ALL), the page without any (NONE), or 404.
EXPECTED = {
    "answered": {
        "requester handler": ALL,
        "responder handler": ALL,
        "responder observer": ALL,  # observers are read-only participants
        "escalation coordinator": NONE,
        "approval coordinator": GONE,
        "outsider": GONE,
    },
    "awaiting approval": {
        "requester handler": ALL,
        "approval coordinator": NONE,
        "responder handler": GONE,  # not sent: the responder must not learn it exists
        "responder observer": GONE,
        "escalation coordinator": GONE,
        "outsider": GONE,
    },
    "draft": {"requester handler": ALL, "responder handler": GONE, "responder observer": GONE, "outsider": GONE},
    "withdrawn before acceptance": {
        "requester handler": ALL,
        "responder handler": NONE,  # reference and state only
        "responder observer": NONE,
        "outsider": GONE,
    },
    "retention-blocked": {"requester handler": NONE, "responder handler": NONE, "outsider": GONE},
    "retention-deleted": {"requester handler": NONE, "responder handler": NONE, "outsider": GONE},
}


def _build(scenario, people, fr_authority, de_authority, tag):
    if scenario.startswith("retention"):
        r = _exchange(tag, people, fr_authority, de_authority, until="closed")
        # Translations are made (and cached) while the request is open.
        for who in ("requester handler", "responder handler"):
            user = people[who]
            selectors.translations_for(user, r, selectors.messages_for(user, r), "en")
        assert CachedTranslation.objects.filter(request=r).exists()
        days = 190 if scenario == "retention-blocked" else 3 * 365 + 30
        apply_retention(timezone.now() + datetime.timedelta(days=days))
        r.refresh_from_db()
        assert not CachedTranslation.objects.filter(request=r).exists()
        return r
    return _exchange(tag, people, fr_authority, de_authority, until=scenario)


def _api(user, authority_id):
    _token, raw = token_issue(actor=user, authority=Authority.objects.get(pk=authority_id), name="probe")
    return Client(HTTP_AUTHORIZATION=f"Bearer {raw}")


def _authority_of(user, r):
    ids = set(user.memberships.values_list("authority_id", flat=True))
    for authority_id in (r.requester_id, r.responder_id):
        if authority_id in ids:
            return authority_id
    return next(iter(ids), None)


def _check(text: str, fields: dict[str, str], shown: bool, label: str):
    for field, marker in fields.items():
        if shown:
            assert marker in text, f"{label}: {field} ({marker!r}) missing"
        else:
            assert marker not in text, f"{label}: {field} ({marker!r}) leaks"


@pytest.mark.parametrize("scenario", list(EXPECTED))
def test_each_persona_sees_exactly_what_the_rule_allows_on_every_channel(
    scenario, people, fr_authority, de_authority, client_for
):
    tag = "".join(word[:3].title() for word in scenario.replace("-", " ").split())
    r = _build(scenario, people, fr_authority, de_authority, tag)
    m = markers(tag)
    attachment = r.attachments.first()
    for persona, expected in EXPECTED[scenario].items():
        user = people[persona]
        shown = expected == ALL
        label = f"{scenario}, {persona}"
        # The one decision agrees with the table, and its queryset form with it.
        assert visibility_for(user, r).personal_data is shown, label
        assert InformationRequest.objects.filter(personal_data_visible(user), pk=r.pk).exists() is shown, label
        # Answers exist only once answered; a value that is not there cannot be "shown".
        page_fields = {
            k: v for k, v in m.items() if k != "attachment.file" and (k != "answer.value" or r.answers.exists())
        }
        client = client_for(user)
        for query in ({}, {"translate": "1"}):
            response = client.get(reverse("exchanges:detail", args=[r.pk]), query)
            assert response.status_code == (404 if expected == GONE else 200), f"{label} page {query}"
            _check(response.content.decode(), page_fields, shown, f"{label} page {query}")
        if attachment is not None:
            response = client.get(reverse("exchanges:download", args=[r.pk, attachment.pk]))
            assert response.status_code == (200 if shown else 404), f"{label} download"
        _check_search(client, user, r, tag, shown, label)
        _check_notifications(user, r, m, expected, label)
        authority_id = _authority_of(user, r)
        if authority_id is None:
            continue  # no authority, no token
        api = _api(user, authority_id)
        api_fields = page_fields | {"subject_birth_date": BIRTH_DATE.isoformat()}
        for query in ({}, {"translate_to": "en"}, {"translate_to": "fr"}, {"translate_to": "de"}):
            response = api.get(f"/api/v1/requests/{r.pk}", query)
            assert response.status_code == (404 if expected == GONE else 200), f"{label} API {query}"
            body = response.content.decode()
            _check(body, {k: v for k, v in api_fields.items() if k != "contest_mark.reason"}, shown, f"{label} API")
            assert m["contest_mark.reason"] not in body
            if shown and query:
                assert f"[{query['translate_to']}] {m['free_text']}" in body or query["translate_to"] == "fr"
        if attachment is not None:
            response = api.get(f"/api/v1/requests/{r.pk}/attachments/{attachment.pk}")
            assert response.status_code == (200 if shown else 404), f"{label} API download"


def _check_search(client, user, r, tag, shown, label):
    box = "outbox" if r.requester_id in {mb.authority_id for mb in user.memberships.all()} else "inbox"
    for field, word in SEARCHABLE.items():
        word = word.format(tag=tag)
        page = client.get(reverse(f"exchanges:{box}"), {"q": word}).content.decode()
        assert (reverse("exchanges:detail", args=[r.pk]) in page) is shown, f"{label} page search {field}"
        found = selectors.box(user, selectors.BoxFilters(box=box, q=word)).filter(pk=r.pk).exists()
        assert found is shown, f"{label} search {field}"
    # Without a word the request is listed and counted wherever its reference is visible.
    listed = selectors.box(user, selectors.BoxFilters(box=box)).filter(pk=r.pk).exists()
    counted = sum(selectors.state_counts(user, selectors.BoxFilters(box=box)).values())
    if EXPECTED_LISTED(label):
        assert listed and counted == 1, label
    else:
        assert not listed and counted == 0, label


def EXPECTED_LISTED(label: str) -> bool:  # noqa: N802 - reads as the table's companion
    scenario, persona = label.split(", ")
    return EXPECTED[scenario][persona] != GONE and "coordinator" not in persona


def _check_notifications(user, r, m, expected, label):
    notifications = list(Notification.objects.filter(recipient=user, request=r).select_related("request"))
    if expected == GONE:
        assert notifications == [], f"{label}: notified of a request it may not see"
    if notifications:
        subject, body = _render(notifications, user)
        _check(subject + body, m, False, f"{label} mail")  # mails never carry personal data


def test_a_guessed_text_never_finds_another_exchanges_translation(people, fr_authority, de_authority):
    """The cache oracle: writing someone else's text into one's own exchange and asking for
    its translation must not answer "cached"."""
    theirs = _exchange("Orc", people, fr_authority, de_authority, until="answered")
    reader = people["responder handler"]
    first = selectors.translations_for(reader, theirs, [], "en")["free_text"]
    assert first.ok and not first.cached
    assert selectors.translations_for(reader, theirs, [], "en")["free_text"].cached  # reused in its own exchange
    mine = request_create(
        actor=people["requester handler"],
        requester=fr_authority,
        data=DraftData(
            legal_area="professional_qualifications",
            responder=de_authority.pk,
            subject_name="Someone Else",
            free_text=theirs.free_text,
            free_text_language="fr",
        ),
    )
    guessed = selectors.translations_for(people["requester handler"], mine, [], "en")["free_text"]
    assert guessed.ok and guessed.cached is False
    assert CachedTranslation.objects.filter(request=mine).count() == 1


@pytest.mark.parametrize("until", ["awaiting approval", "withdrawn before acceptance"])
def test_the_responders_data_subject_search_finds_no_request_it_does_not_hold(
    until, people, fr_authority, de_authority, de_admin
):
    """A data-subject request of the responder's authority must not surface (nor export) a
    request that never reached it, or one withdrawn before it accepted it; rectifying it on
    the requester's side does not tell the responder either."""
    r = _exchange("Hol", people, fr_authority, de_authority, until=until)
    theirs = subject_request_create(
        actor=de_admin, authority=de_authority, kind="access", person_name=markers("Hol")["subject_name"]
    )
    assert holdings(theirs) == []
    assert subject_data_export(actor=de_admin, subject_request=theirs)["exchanges"] == []
    ours = subject_request_create(
        actor=people["_admin"], authority=fr_authority, kind="rectification", person_name=r.subject_name
    )
    assert [h.request.pk for h in holdings(ours)] == [r.pk]  # the requester still holds it
    subject_data_rectify(
        actor=people["_admin"], subject_request=ours, request_pk=r.pk, changes={"subject_address": "1 Rue Neuve"}
    )
    told = Notification.objects.filter(
        request=r, kind="data_rectified", recipient__memberships__authority=de_authority
    ).exists()
    # GDPR Art. 19: a rectification is told to whoever the data was disclosed to — the
    # responder of a withdrawn request received it; one awaiting approval never did.
    assert told is (until == "withdrawn before acceptance")
