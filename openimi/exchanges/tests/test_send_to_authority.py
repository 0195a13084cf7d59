"""Issue 13, item 8 (part): from an authority to a request in one step; a single match is
chosen; "Forward" is a search offering at most ten authorities."""

import re

import pytest
from django.urls import reverse

from openimi.exchanges.models import InformationRequest
from openimi.exchanges.selectors import FORWARD_LIMIT
from openimi.exchanges.services import request_act, request_create
from openimi.exchanges.tests.test_workflow import draft_data
from openimi.tests import queries as counts
from openimi.tests.factories import AuthorityFactory


@pytest.fixture
def sent(fr_handler, fr_authority, de_authority, de_handler):
    r = request_create(actor=fr_handler, requester=fr_authority, data=draft_data(de_authority))
    return request_act(actor=fr_handler, request=r, action="submit")


def _checked_responder(page: str) -> list[str]:
    return re.findall(r'name="responder" type="radio" value="(\d+)" checked', page)


def test_the_authority_page_and_results_link_to_compose_with_that_authority(
    client_for, fr_handler, fr_authority, de_authority
):
    client = client_for(fr_handler)
    link = f"{reverse('exchanges:compose')}?responder={de_authority.pk}"
    assert link in client.get(reverse("directory:detail", args=[de_authority.pk])).content.decode()
    own = client.get(reverse("directory:detail", args=[fr_authority.pk])).content.decode()
    assert "?responder=" not in own  # no request to one's own country
    results = client.get(reverse("directory:list"), {"q": "architekten"}).content.decode()
    assert link in results and f"?responder={fr_authority.pk}" not in results


def test_the_link_presets_the_responder_and_one_of_its_legal_areas(client_for, fr_handler, fr_authority, de_authority):
    AuthorityFactory(official_name="Architektenkammer Hamburg", country_id="DE", areas=["professional_qualifications"])
    page = client_for(fr_handler).get(reverse("exchanges:compose"), {"responder": de_authority.pk}).content.decode()
    assert _checked_responder(page) == [str(de_authority.pk)]
    assert '<option value="professional_qualifications" selected>' in page


def test_a_users_without_the_handler_role_get_no_link(client_for, de_authority, outsider):
    page = client_for(outsider).get(reverse("directory:detail", args=[de_authority.pk])).content.decode()
    assert "?responder=" not in page


def test_a_single_match_is_preselected(client_for, fr_handler, fr_authority, de_authority):
    AuthorityFactory(
        official_name="Ordine degli Architetti di Roma", country_id="IT", areas=["professional_qualifications"]
    )
    base = {"requester": fr_authority.pk, "legal_area": "professional_qualifications", "free_text_language": "fr"}
    client = client_for(fr_handler)
    page = client.post(reverse("exchanges:compose"), {**base, "responder_q": "berlin", "find": "1"}).content.decode()
    assert _checked_responder(page) == [str(de_authority.pk)]
    page = client.post(reverse("exchanges:compose"), {**base, "responder_q": "", "find": "1"}).content.decode()
    assert _checked_responder(page) == []  # two matches: the user chooses
    assert not InformationRequest.objects.exists()


def test_forward_offers_a_search_with_at_most_ten_matches(client_for, sent, de_handler):
    others = [
        AuthorityFactory(
            official_name=f"Architektenkammer {n:02d}",
            country_id="DE",
            city=f"Stadt {n:02d}",
            areas=["professional_qualifications"],
        )
        for n in range(15)
    ]
    bayern = AuthorityFactory(
        official_name="Zentralstelle Bayern", country_id="DE", city="München", areas=["professional_qualifications"]
    )
    client = client_for(de_handler)
    # Forwarding cannot be undone: it is chosen and confirmed on its own page.
    forward = reverse("exchanges:confirm", args=[sent.pk, "forward"])
    page = client.get(forward).content.decode()
    form = page.split('name="forward-to_authority"')[1].split("</select>")[0]
    assert form.count("<option value=") == FORWARD_LIMIT + 1  # "Choose an authority" and ten matches
    assert 'name="forward_q"' in page and "Zentralstelle Bayern" not in form
    page = client.get(forward, {"forward_q": "münchen"}).content.decode()
    form = page.split('name="forward-to_authority"')[1].split("</select>")[0]
    assert "Zentralstelle Bayern" in form and form.count("<option value=") == 2
    assert 'value="münchen" aria-describedby="forward-q-hint" autofocus' in page
    # Any authority the search can offer is accepted, not only the ten shown first.
    client.post(
        forward,
        {
            "action": "forward",
            "forward-action": "forward",
            "forward-version": sent.version,
            "forward-to_authority": others[14].pk,
            "forward-text": "Zuständig ist Stadt 14.",
        },
    )
    sent.refresh_from_db()
    assert sent.responder == others[14] and bayern.pk != others[14].pk


def test_query_counts_of_the_pages_changed(
    client_for, sent, fr_handler, de_handler, de_authority, django_assert_num_queries
):
    """Old → new: authority page 10 → 11 (the countries the user sends from); compose 12 → 12,
    with ``?responder=`` 12 → 14 (that authority and its legal areas); request page with
    "Forward" 19 → 19 (now 15 + an audit entry: the forwarding list moved to the confirmation
    page); that page 8, with a search 11 (the directory search)."""
    for n in range(15):
        AuthorityFactory(official_name=f"Kammer {n}", country_id="DE", areas=["professional_qualifications"])
    fr, de = client_for(fr_handler), client_for(de_handler)
    cases = (
        (fr, reverse("directory:detail", args=[de_authority.pk]), {}, 11),
        (fr, reverse("exchanges:compose"), {"legal_area": "professional_qualifications"}, 12),
        (fr, reverse("exchanges:compose"), {"responder": de_authority.pk}, 14),
        (de, reverse("exchanges:detail", args=[sent.pk]), {}, 15 + counts.audit_write()),
        (de, reverse("exchanges:confirm", args=[sent.pk, "forward"]), {}, 8),
        (de, reverse("exchanges:confirm", args=[sent.pk, "forward"]), {"forward_q": "kammer"}, 11),
    )
    for client, url, params, _n in cases:
        client.get(url, params)  # warm the caches (search vocabulary, translation pairs)
    for client, url, params, queries in cases:
        with django_assert_num_queries(queries):
            assert client.get(url, params).status_code == 200
