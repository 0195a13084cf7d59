"""The request workflow through the domain layer: every path of the state machine, and every
way of getting it wrong."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from openimi.exchanges import permissions
from openimi.exchanges.models import InformationRequest, State
from openimi.exchanges.selectors import messages_for, timeline_for
from openimi.exchanges.services import DraftData, RequestChanged, request_act, request_create, request_update_draft
from openimi.exchanges.workflow import ACTIONS
from openimi.notifications.models import Notification
from openimi.questionnaires.models import QuestionSet
from openimi.questionnaires.services import question_set_export, question_set_import
from openimi.tests.factories import AuthorityFactory, UserFactory, member

QUESTIONS = ["diploma_authentic", "entitled_to_practise", "experience_confirmed", "experience_years"]


def draft_data(responder, **overrides) -> DraftData:
    values = dict(
        legal_area="professional_qualifications",
        question_set="professional_qualifications",
        responder=responder.pk,
        subject_name="Jean Dupont",
        subject_identifiers="ARCH-75-1234",
        questions=QUESTIONS,
        free_text="Merci de vérifier le diplôme.",
        free_text_language="fr",
        reply_by=timezone.localdate() + datetime.timedelta(days=20),
    )
    values.update(overrides)
    return DraftData(**values)


@pytest.fixture
def draft(fr_handler, fr_authority, de_authority, de_handler):
    return request_create(actor=fr_handler, requester=fr_authority, data=draft_data(de_authority))


def act(user, request, action, **kwargs):
    return request_act(actor=user, request=request, action=action, **kwargs)


@pytest.fixture
def sent(draft, fr_handler):
    return act(fr_handler, draft, "submit")


@pytest.fixture
def accepted(sent, de_handler):
    return act(de_handler, sent, "accept")


ANSWERS = {
    "diploma_authentic": "yes",
    "entitled_to_practise": "yes",
    "experience_confirmed": "yes",
    "experience_years": "12",
}


def test_full_path_draft_to_closed(draft, fr_handler, de_handler):
    assert draft.state == State.DRAFT and draft.reference is None
    request = act(fr_handler, draft, "submit")
    assert request.state == State.SENT and request.reference.startswith("FR-")
    assert request.acceptance_deadline > timezone.now() + datetime.timedelta(days=6)
    request = act(de_handler, request, "accept")
    assert request.state == State.ACCEPTED and request.responder_handler == de_handler
    request = act(de_handler, request, "answer", answers=ANSWERS, text="Alles in Ordnung.", language="de")
    assert request.state == State.ANSWERED
    request = act(fr_handler, request, "accept_answer", rating_timeliness=5, rating_effort="4")
    assert request.state == State.CLOSED and request.rating_effort == 4
    events = [(e.action, e.from_state, e.to_state) for e in request.events.all()]
    assert events == [
        ("created", "draft", "draft"),
        ("submit", "draft", "sent"),
        ("accept", "sent", "accepted"),
        ("answer", "accepted", "answered"),
        ("accept_answer", "answered", "closed"),
    ]
    message = request.messages.get(kind="answer")
    assert (message.text, message.language) == ("Alles in Ordnung.", "de")


def test_clarification_round_trip(accepted, fr_handler, de_handler):
    request = act(de_handler, accepted, "request_clarification", text="Quel diplôme exactement ?")
    assert request.state == State.AWAITING_INFORMATION
    request = act(fr_handler, request, "give_clarification", text="Le diplôme d'architecte DPLG.")
    assert request.state == State.ACCEPTED


def test_further_questions_reopen_an_answered_request(accepted, fr_handler, de_handler):
    request = act(de_handler, accepted, "answer", answers=ANSWERS)
    request = act(fr_handler, request, "ask_further", text="Et les sanctions ?")
    assert request.state == State.ACCEPTED


def test_partial_answer_must_be_declared(accepted, de_handler):
    with pytest.raises(ValidationError) as caught:
        act(de_handler, accepted, "answer", answers={"diploma_authentic": "yes"})
    # Each missing question named by its own field, not one message listing codes.
    assert set(caught.value.message_dict) == {"answers.entitled_to_practise", "answers.experience_confirmed"}
    request = act(de_handler, accepted, "answer", answers={"diploma_authentic": "yes"}, partial=True)
    assert request.state == State.ANSWERED and request.partial_answer


def test_conditional_question_is_not_required_when_its_condition_fails(accepted, de_handler):
    answers = {"diploma_authentic": "no", "entitled_to_practise": "unknown", "experience_confirmed": "no"}
    request = act(de_handler, accepted, "answer", answers=answers)
    assert request.state == State.ANSWERED and not request.partial_answer


@pytest.mark.parametrize(
    "answers,field",
    [
        ({"diploma_authentic": "maybe"}, "answers.diploma_authentic"),
        ({"experience_years": "twelve"}, "answers.experience_years"),
        ({"no_such_question": "yes"}, "answers.no_such_question"),
        ({"insured": "yes"}, "answers.insured"),
    ],
)
def test_bad_answers_name_the_question_and_change_nothing(accepted, de_handler, answers, field):
    with pytest.raises(ValidationError) as caught:
        act(de_handler, accepted, "answer", answers=answers, partial=True)
    assert field in caught.value.message_dict
    accepted.refresh_from_db()
    assert accepted.state == State.ACCEPTED and not accepted.answers.exists()


def test_withdraw_from_draft_sent_and_accepted(fr_handler, fr_authority, de_authority, de_handler):
    for steps in ([], ["submit"], ["submit", "accept"]):
        request = request_create(actor=fr_handler, requester=fr_authority, data=draft_data(de_authority))
        for step in steps:
            request = act(de_handler if step == "accept" else fr_handler, request, step)
        assert act(fr_handler, request, "withdraw").state == State.WITHDRAWN


def test_withdrawn_and_closed_requests_are_final(sent, fr_handler, de_handler):
    request = act(fr_handler, sent, "withdraw")
    for user, action in ((fr_handler, "withdraw"), (de_handler, "accept"), (de_handler, "answer")):
        with pytest.raises(ValidationError) as caught:
            act(user, request, action)
        assert "Withdrawn" in caught.value.message_dict["state"][0]


def test_forward_within_the_responders_country(sent, de_handler, fr_handler):
    other = AuthorityFactory(
        official_name="Architektenkammer Bayern", country_id="DE", areas=["professional_qualifications"]
    )
    abroad = AuthorityFactory(
        official_name="Ordine degli Architetti di Roma", country_id="IT", areas=["professional_qualifications"]
    )
    with pytest.raises(ValidationError) as caught:
        act(de_handler, sent, "forward", to_authority=abroad.pk, text="Nicht zuständig.")
    assert "to_authority" in caught.value.message_dict
    with pytest.raises(ValidationError):
        act(de_handler, sent, "forward", to_authority=other.pk)  # a reason is required
    request = act(de_handler, sent, "forward", to_authority=other.pk, text="Zuständig ist Bayern.")
    assert request.responder == other and request.state == State.SENT
    assert not permissions.can_view(de_handler, request)
    assert permissions.can_view(fr_handler, request)


def test_reply_date_negotiation(accepted, fr_handler, de_handler):
    new_date = timezone.localdate() + datetime.timedelta(days=40)
    with pytest.raises(ValidationError):
        act(de_handler, accepted, "propose_date", date="2001-01-01")
    request = act(de_handler, accepted, "propose_date", date=new_date.isoformat(), text="Archiv geschlossen.")
    assert request.proposed_reply_by == new_date
    assert "agree_date" in [a.name for a in permissions.available_actions(fr_handler, request)]
    request = act(fr_handler, request, "agree_date")
    assert request.reply_by == new_date and request.proposed_reply_by is None
    assert "agree_date" not in [a.name for a in permissions.available_actions(fr_handler, request)]


def test_coordinator_approval(fr_handler, fr_authority, de_authority, de_handler, fr_coordinator):
    fr_authority.requests_need_approval = True
    fr_authority.save()
    request = request_create(actor=fr_handler, requester=fr_authority, data=draft_data(de_authority))
    request = act(fr_handler, request, "submit")
    assert request.state == State.AWAITING_APPROVAL
    assert not permissions.can_view(de_handler, request) or request.state != State.SENT
    request = act(fr_coordinator, request, "reject", text="Précisez l'identité.")
    assert request.state == State.DRAFT
    request = act(fr_handler, request, "submit")
    request = act(fr_coordinator, request, "approve")
    assert request.state == State.SENT


def test_referral_involves_the_coordinator_only_then(accepted, fr_handler, fr_coordinator):
    assert not permissions.can_view(fr_coordinator, accepted)
    request = act(fr_handler, accepted, "refer", text="Pas de réponse depuis des semaines.")
    assert permissions.can_view(fr_coordinator, request)
    request = act(fr_coordinator, request, "comment", text="J'ai contacté mon homologue.")
    assert request.messages.filter(kind="comment").exists()


def test_allocation_to_a_handler(sent, de_authority, de_handler):
    allocator = UserFactory()
    member(allocator, de_authority, "request_allocator")
    with pytest.raises(ValidationError):
        act(allocator, sent, "allocate", handler=allocator.pk)  # not a handler
    request = act(allocator, sent, "allocate", handler=de_handler.pk)
    assert request.responder_handler == de_handler
    assert Notification.objects.filter(recipient=de_handler, kind="allocated").exists()


def test_internal_notes_stay_inside_the_authority(accepted, de_handler, fr_handler):
    request = act(de_handler, accepted, "note", text="Kollege fragen.")
    assert [m.text for m in messages_for(de_handler, request) if m.internal] == ["Kollege fragen."]
    assert [m for m in messages_for(fr_handler, request) if m.internal] == []
    assert "note" not in [e.action for e in timeline_for(fr_handler, request)]


@pytest.mark.parametrize("action", ["accept", "answer", "request_clarification", "propose_date"])
def test_requester_cannot_take_responder_actions(sent, fr_handler, action):
    with pytest.raises((PermissionDenied, ValidationError)):
        act(fr_handler, sent, action, text="x", date="2099-01-01")


def test_outsiders_and_observers_cannot_act(sent, outsider, de_authority, de_admin):
    observer = UserFactory()
    member(observer, de_authority, "observer")
    for user in (outsider, observer, de_admin):
        with pytest.raises(PermissionDenied):
            act(user, sent, "accept")
    sent.refresh_from_db()
    assert sent.state == State.SENT


def test_action_in_the_wrong_state_is_a_clear_error(sent, fr_handler):
    with pytest.raises(ValidationError) as caught:
        act(fr_handler, sent, "accept_answer")
    assert "state" in caught.value.message_dict


def test_stale_version_is_refused(sent, de_handler):
    stale = sent.version
    act(de_handler, sent, "note", text="first", version=stale)
    with pytest.raises(RequestChanged):
        act(de_handler, sent, "accept", version=stale)


@pytest.mark.parametrize(
    "overrides,field",
    [
        ({"reply_by": datetime.date(2001, 1, 1)}, "reply_by"),
        ({"questions": ["no_such_code"]}, "questions"),
        ({"legal_area": "services", "question_set": "services"}, "legal_area"),
        ({"subject_name": "x" * 301}, "subject_name"),
        ({"subject_name": "nul\x00"}, "subject_name"),
        ({"free_text_language": "xx"}, "free_text_language"),
    ],
)
def test_bad_drafts_name_the_field(fr_handler, fr_authority, de_authority, overrides, field):
    before = InformationRequest.objects.count()
    with pytest.raises(ValidationError) as caught:
        request_create(actor=fr_handler, requester=fr_authority, data=draft_data(de_authority, **overrides))
    assert field in caught.value.message_dict
    assert InformationRequest.objects.count() == before


def test_responder_in_the_same_country_is_refused(fr_handler, fr_authority):
    same = AuthorityFactory(country_id="FR", areas=["professional_qualifications"])
    with pytest.raises(ValidationError) as caught:
        request_create(actor=fr_handler, requester=fr_authority, data=draft_data(same))
    assert "responder" in caught.value.message_dict


def test_submit_needs_a_complete_draft(fr_handler, fr_authority, de_authority):
    incomplete = draft_data(de_authority, questions=[], subject_name="")
    incomplete.responder = None
    request = request_create(actor=fr_handler, requester=fr_authority, data=incomplete)
    with pytest.raises(ValidationError) as caught:
        act(fr_handler, request, "submit")
    assert set(caught.value.message_dict) >= {"responder", "questions", "subject_name"}
    request = request_update_draft(actor=fr_handler, request=request, data=draft_data(de_authority))
    assert act(fr_handler, request, "submit").state == State.SENT


def test_a_sent_request_keeps_its_question_set_version(sent, operator):
    document = question_set_export(sent.question_set)
    document["groups"][0]["questions"][0]["texts"]["en"] = "Changed wording?"
    new = question_set_import(actor=operator, document=document)
    assert new.version == 2
    sent.refresh_from_db()
    assert sent.question_set.version == 1
    assert sent.chosen.first().question.texts["en"] != "Changed wording?"
    assert QuestionSet.objects.get(code="professional_qualifications", is_current=True) == new


def test_notifications_are_written_to_the_outbox_for_the_other_side(sent, de_handler, fr_handler):
    assert Notification.objects.filter(recipient=de_handler, kind="request_received", request=sent).exists()
    assert not Notification.objects.filter(recipient=fr_handler, kind="request_received").exists()


def test_every_action_of_the_table_is_reachable_by_someone():
    reachable = {
        "submit",
        "approve",
        "reject",
        "accept",
        "forward",
        "allocate",
        "request_clarification",
        "give_clarification",
        "answer",
        "accept_answer",
        "ask_further",
        "withdraw",
        "propose_date",
        "agree_date",
        "refuse_date",
        "refer",
        "note",
        "attach",
        "comment",
        "remind",
    }
    assert set(ACTIONS) == reachable
