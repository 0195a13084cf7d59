"""The home page offers each person only the work they may do, and names their role as it is."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from openimi.accounts.models import Role
from openimi.directory.models import CoordinatorFunction
from openimi.directory.permissions import Perm
from openimi.exchanges.permissions import acting_authority_ids
from openimi.exchanges.selectors import dashboard_counts
from openimi.exchanges.services import request_act, request_create
from openimi.exchanges.tests.test_workflow import draft_data
from openimi.tests.factories import UserFactory, member


@pytest.fixture
def two_sent(fr_handler, fr_authority, de_authority, de_handler):
    for _ in range(2):
        r = request_create(actor=fr_handler, requester=fr_authority, data=draft_data(de_authority))
        request_act(actor=fr_handler, request=r, action="submit")


def _home(client) -> str:
    return client.get(reverse("web:home")).content.decode()


def test_handler_sees_every_counter(two_sent, de_handler):
    assert dashboard_counts(de_handler) == {
        "to_accept": 2,
        "to_answer": 0,
        "overdue": 0,
        "answered": 0,
        "need_information": 0,
        "drafts": 0,
    }


def test_observer_is_not_asked_to_accept_requests(two_sent, de_authority, client_for):
    observer = UserFactory(email="olga.observer@example.de", language="en")
    member(observer, de_authority, "observer")
    assert dashboard_counts(observer) == {}
    page = _home(client_for(observer))
    assert "to accept" not in page and "Waiting for you" not in page


def test_allocator_is_asked_to_accept_but_not_to_answer(two_sent, de_authority):
    allocator = UserFactory(email="anna.allocator@example.de", language="en")
    member(allocator, de_authority, "request_allocator")
    assert dashboard_counts(allocator) == {"to_accept": 2}


def test_handler_in_one_area_counts_only_that_area(two_sent, de_authority):
    other = UserFactory(email="hans.other@example.de", language="en")
    member(other, de_authority, "request_handler", area="services")
    counts = dashboard_counts(other)
    assert counts["to_accept"] == 0 and set(counts) == {
        "to_accept",
        "to_answer",
        "overdue",
        "answered",
        "need_information",
        "drafts",
    }


def test_coordinator_home_has_no_counters_and_names_the_coordinator_role(fr_coordinator, client_for):
    client = client_for(fr_coordinator)
    client.get(reverse("web:home"))  # warm-up (the session's first page loads the device)
    with CaptureQueriesContext(connection) as captured:
        page = _home(client)
    with translation.override(fr_coordinator.language):
        national = str(CoordinatorFunction.Kind.NATIONAL.label)
        local_admin = str(Role.LOCAL_ADMIN.label)
        waiting = translation.gettext("Waiting for you")
    assert f"· {national}</p>" in page
    assert local_admin not in page
    assert waiting not in page
    assert len(captured) == 13


def test_only_request_handlers_may_send_on_behalf_of_their_authority(de_authority, de_handler):
    observer = UserFactory(email="otto.observer@example.de", language="en")
    member(observer, de_authority, "observer", "request_allocator")
    assert acting_authority_ids(de_handler, Perm.REQUEST_SEND) == [de_authority.pk]
    assert acting_authority_ids(observer, Perm.REQUEST_SEND) == []
    assert acting_authority_ids(observer, Perm.REQUEST_ACCEPT) == [de_authority.pk]
