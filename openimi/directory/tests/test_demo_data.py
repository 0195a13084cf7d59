import datetime

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from openimi.accounts.models import User
from openimi.directory.models import Authority, AuthorityStatus, CoordinatorFunction, SearchEntry
from openimi.directory.search import SearchFilters, search
from openimi.exchanges.models import Answer, InformationRequest, Message, RequestEvent, State
from openimi.exchanges.selectors import BoxFilters, box, with_new_marker
from openimi.exchanges.services import DraftData, request_act, request_create
from openimi.questionnaires.models import QuestionSet

DEMO_COUNTRIES = ["fr", "de", "it", "es", "pl"]


def test_demo_data_covers_every_country_role_and_state(db):
    call_command("generate_demo_data", authorities=600, requests=1500, stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert CoordinatorFunction.objects.filter(kind="national").count() == 30
    assert Authority.objects.values("country").distinct().count() == 30
    assert set(InformationRequest.objects.values_list("state", flat=True)) == set(State.values)
    handler = User.objects.get(email="fr.request-handler@demo.openimi.example")
    assert handler.is_demo and handler.check_password("demo-password-2026")
    home = handler.memberships.get().authority
    assert InformationRequest.objects.filter(responder=home).exists()  # a living inbox for the demo account
    assert SearchEntry.objects.filter(authority=home).exists()  # and a searchable directory
    closed = InformationRequest.objects.filter(state=State.CLOSED).first()
    assert [e.action for e in closed.events.all()][-1] == "accept_answer"
    invited = Authority.objects.filter(status="invited")
    assert invited.exists() and invited.filter(invitation__isnull=True).count() == 0


def test_demo_data_refuses_a_database_that_has_authorities(db):
    call_command("generate_demo_data", authorities=200, requests=0, stdout=open("/dev/null", "w"))  # noqa: SIM115
    with pytest.raises(CommandError):
        call_command("generate_demo_data", authorities=200, requests=0)
    call_command("generate_demo_data", "--if-empty", stdout=open("/dev/null", "w"))  # noqa: SIM115


def test_every_pair_of_demo_handlers_can_exchange(db):
    """Issue 13, item 1: the request handler of any demo country finds the other demo
    country's home authority as a competent responder (as compose does: directory search by
    country and legal area) under a legal area both hold, so each pair can send and answer."""
    call_command("generate_demo_data", authorities=200, requests=0, stdout=open("/dev/null", "w"))  # noqa: SIM115
    homes = {
        code: User.objects.get(email=f"{code}.request-handler@demo.openimi.example").memberships.get().authority
        for code in DEMO_COUNTRIES
    }
    areas = {code: set(home.area_grants.values_list("legal_area_id", flat=True)) for code, home in homes.items()}
    current = set(QuestionSet.objects.filter(is_current=True).values_list("legal_area_id", flat=True))
    pairs = 0
    for sender, home in homes.items():
        assert home.status == AuthorityStatus.ACTIVE
        base = Authority.objects.filter(status=AuthorityStatus.ACTIVE).exclude(country_id=home.country_id)
        for receiver, other in homes.items():
            if receiver == sender:
                continue
            shared = sorted(areas[sender] & areas[receiver] & current)
            found = [
                area
                for area in shared
                if search(base, SearchFilters(country=other.country_id, legal_area=area)).queryset.filter(pk=other.pk)
            ]
            assert found, f"{sender} cannot send to {receiver} (areas {areas[sender]} / {areas[receiver]})"
            pairs += 1
    assert pairs == 20


def test_the_demo_clock_ends_now(db):
    """Issue 13, item 10: nothing in the demo is dated in the future, so a request sent now is
    first in the receiving demo handler's inbox under the default sort."""
    call_command("generate_demo_data", authorities=200, requests=1200, stdout=open("/dev/null", "w"))  # noqa: SIM115
    now = timezone.now()
    for field in ("created_at", "updated_at", "sent_at", "accepted_at", "answered_at", "closed_at"):
        assert not InformationRequest.objects.filter(**{f"{field}__gt": now}).exists(), field
    assert not RequestEvent.objects.filter(at__gt=now).exists()
    assert not Answer.objects.filter(answered_at__gt=now).exists()
    assert not Message.objects.filter(created_at__gt=now).exists()

    sender = User.objects.get(email="fr.request-handler@demo.openimi.example")
    receiver = User.objects.get(email="de.request-handler@demo.openimi.example")
    inbox = box(receiver, BoxFilters(box="inbox"))
    assert inbox.count() > 20  # a busy inbox: the new request must not be lost on a later page
    marked = with_new_marker(inbox, receiver).filter(is_new=True).count()
    assert 0 < marked < inbox.count()  # only what changed in the last day is new
    qset = QuestionSet.objects.filter(legal_area_id="services", is_current=True).first()
    questions = list(qset.questions.filter(condition_question="").values_list("code", flat=True)[:2])
    draft = request_create(
        actor=sender,
        requester=sender.memberships.get().authority,
        data=DraftData(
            legal_area="services",
            question_set=qset.code,
            responder=receiver.memberships.get().authority_id,
            subject_name="Jean Dupont",
            subject_identifiers="SIRET 123",
            questions=questions,
            free_text="Merci.",
            free_text_language="fr",
            reply_by=timezone.localdate() + datetime.timedelta(days=20),
        ),
    )
    sent = request_act(actor=sender, request=draft, action="submit")
    first = with_new_marker(box(receiver, BoxFilters(box="inbox")), receiver).first()
    assert first == sent and first.is_new
