import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from openimi.accounts.models import User
from openimi.directory.models import Authority, CoordinatorFunction, SearchEntry
from openimi.exchanges.models import InformationRequest, State


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
