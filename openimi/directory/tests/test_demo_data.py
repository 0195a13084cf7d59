import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from openimi.accounts.models import User
from openimi.directory.models import Authority, AuthorityStatus, CoordinatorFunction, SearchEntry
from openimi.directory.search import SearchFilters, search
from openimi.exchanges.models import InformationRequest, State
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
