"""The audit log pages: an authority reads its own log, a coordinator the logs of the
authorities in scope, nobody else anything."""

from django.urls import reverse
from django.utils import translation
from django.utils.html import escape

from openimi.directory.members import token_issue
from openimi.directory.models import AuthorityEvent
from openimi.exchanges.services import request_act, request_create
from openimi.exchanges.tests.test_workflow import draft_data
from openimi.privacy.audit import audit
from openimi.privacy.models import AuditEntry
from openimi.tests.factories import AuthorityFactory, UserFactory


def _submitted_and_viewed(fr_handler, fr_authority, de_authority, de_handler, client_for):
    r = request_create(actor=fr_handler, requester=fr_authority, data=draft_data(de_authority))
    r = request_act(actor=fr_handler, request=r, action="submit")
    client_for(de_handler).get(reverse("exchanges:detail", args=[r.pk]), REMOTE_ADDR="198.51.100.4")
    return r


def test_a_display_of_personal_data_is_logged_for_the_reader_s_authority(
    fr_handler, fr_authority, de_authority, de_handler, client_for
):
    r = _submitted_and_viewed(fr_handler, fr_authority, de_authority, de_handler, client_for)
    view = AuditEntry.objects.get(action="personal_data.view", object_id=str(r.pk))
    assert (view.authority_id, view.actor_email, view.ip) == (de_authority.pk, de_handler.email, "198.51.100.4")


def test_each_authority_sees_only_its_own_log(
    fr_handler, fr_authority, de_authority, de_handler, de_admin, fr_admin, client_for
):
    _submitted_and_viewed(fr_handler, fr_authority, de_authority, de_handler, client_for)
    german = client_for(de_admin).get(reverse("privacy:audit")).content.decode()
    assert de_handler.email in german and "198.51.100.4" in german
    assert fr_handler.email not in german
    french = client_for(fr_admin).get(reverse("privacy:audit")).content.decode()
    assert fr_handler.email in french and de_handler.email not in french


def test_a_coordinator_sees_the_authorities_in_scope_only(
    fr_handler, fr_authority, de_authority, de_handler, de_coordinator, fr_coordinator, client_for
):
    _submitted_and_viewed(fr_handler, fr_authority, de_authority, de_handler, client_for)
    german = client_for(de_coordinator).get(reverse("privacy:audit")).content.decode()
    assert de_handler.email in german and fr_handler.email not in german
    french = client_for(fr_coordinator).get(reverse("privacy:audit")).content.decode()
    assert fr_handler.email in french and de_handler.email not in french


def test_filters_narrow_the_log(fr_handler, fr_authority, de_authority, de_handler, de_admin, client_for):
    _submitted_and_viewed(fr_handler, fr_authority, de_authority, de_handler, client_for)
    client = client_for(de_admin)
    shown = client.get(reverse("privacy:audit"), {"action": "personal_data."}).content.decode()
    assert "198.51.100.4" in shown
    none = client.get(reverse("privacy:audit"), {"actor": "nobody@"}).content.decode()
    assert "198.51.100.4" not in none
    odd = client.get(
        reverse("privacy:audit"),
        {"since-day": "x", "since-month": "13", "since-year": "26", "authority": "x", "page": "-3"},
    )
    assert odd.status_code == 200


def test_handlers_outsiders_and_the_operator_have_no_audit_page(fr_handler, outsider, operator, client_for):
    for user in (fr_handler, outsider, operator):
        assert client_for(user).get(reverse("privacy:audit")).status_code == 404


def test_behind_the_tls_proxy_the_log_records_the_client_not_the_proxy(
    settings, fr_handler, fr_authority, de_authority, de_handler, client_for
):
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    r = request_create(actor=fr_handler, requester=fr_authority, data=draft_data(de_authority))
    r = request_act(actor=fr_handler, request=r, action="submit")
    client_for(de_handler).get(
        reverse("exchanges:detail", args=[r.pk]),
        REMOTE_ADDR="10.0.0.2",  # the proxy
        HTTP_X_FORWARDED_FOR="192.0.2.66, 203.0.113.9",  # what the client claimed, then what the proxy saw
        HTTP_X_FORWARDED_PROTO="https",
        secure=True,
    )
    assert AuditEntry.objects.get(action="personal_data.view").ip == "203.0.113.9"


def test_every_entry_reads_as_a_sentence_in_the_reader_s_language(fr_handler, fr_admin, fr_authority, client_for):
    """Directory changes are logged as authority.<event>; the page names them, never the code."""
    token_issue(actor=fr_handler, authority=fr_authority, name="sync")
    page = client_for(fr_admin).get(reverse("privacy:audit")).content.decode()
    with translation.override("fr"):
        label = escape(str(AuthorityEvent.Action.TOKEN_ISSUED.label))
    assert label in page and "authority.token_issued" not in page


def test_entries_about_a_request_show_its_reference_and_link_to_it(
    fr_handler, fr_authority, de_authority, de_handler, fr_admin, fr_coordinator, client_for
):
    r = _submitted_and_viewed(fr_handler, fr_authority, de_authority, de_handler, client_for)
    link = f'<a class="govuk-link" href="{reverse("exchanges:detail", args=[r.pk])}">{r.reference}</a>'
    page = client_for(fr_admin).get(reverse("privacy:audit")).content.decode()
    assert f'<span class="govuk-body-s">{link}</span>' in page
    assert f"{r.pk}</span>" not in page
    # The coordinator reads the authority's log but is not involved in the request: the
    # reference, without a link to a page it may not open.
    page = client_for(fr_coordinator).get(reverse("privacy:audit")).content.decode()
    assert f'<span class="govuk-body-s">{r.reference}</span>' in page and link not in page


def test_a_draft_without_reference_is_named_by_its_number(fr_handler, fr_authority, de_authority, fr_admin, client_for):
    r = request_create(actor=fr_handler, requester=fr_authority, data=draft_data(de_authority))
    assert r.reference is None
    audit(actor=fr_handler, action="request.edited", obj=r, authority_id=fr_authority.pk)
    page = client_for(fr_admin).get(reverse("privacy:audit")).content.decode()
    with translation.override(fr_admin.language):
        name = translation.gettext("Request number %(number)s") % {"number": r.pk}
    url = reverse("exchanges:detail", args=[r.pk])
    assert f'<span class="govuk-body-s"><a class="govuk-link" href="{url}">{escape(name)}</a></span>' in page


def test_past_thirty_authorities_the_filter_is_a_name_search(fr_coordinator, fr_authority, client_for):
    client = client_for(fr_coordinator)
    page = client.get(reverse("privacy:audit")).content.decode()
    assert 'name="authority"' in page and 'name="authority_name"' not in page
    for n in range(30):
        AuthorityFactory(official_name=f"Mairie numéro {n}", country_id="FR")
    page = client.get(reverse("privacy:audit")).content.decode()
    assert 'name="authority_name"' in page and "<select" not in page.split('name="authority_name"')[0][-400:]
    assert 'name="authority"' not in page
    somebody = UserFactory(email="somebody@architectes.example")
    audit(actor=somebody, action="authority.edited", obj=fr_authority, authority_id=fr_authority.pk)
    found = client.get(reverse("privacy:audit"), {"authority_name": "architectes Île"}).content.decode()
    assert somebody.email in found
    missed = client.get(reverse("privacy:audit"), {"authority_name": "Mairie"}).content.decode()
    assert somebody.email not in missed
