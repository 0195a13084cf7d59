"""Data-subject requests (IMI Regulation Art. 19): a local administrator finds what the
authority holds on a person, exports it, rectifies it, marks it contested; the 30-day
deadline is tracked; blocked data is shown only here, audited."""

import datetime
import json
import re

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from openimi.exchanges.models import InformationRequest, RequestEvent
from openimi.exchanges.services import RequestChanged, request_act, request_create
from openimi.exchanges.tests.test_workflow import ANSWERS, draft_data
from openimi.notifications.models import Kind, Notification
from openimi.privacy.models import AuditEntry, ContestMark, SubjectRequest
from openimi.privacy.retention import apply_retention
from openimi.privacy.selectors import holdings, normalise
from openimi.privacy.services import (
    remind_subject_requests,
    subject_data_contest,
    subject_data_rectify,
    subject_request_complete,
    subject_request_create,
)
from openimi.tests.factories import date_fields


@pytest.fixture
def exchanges(fr_handler, fr_authority, de_authority, de_handler):
    """Three requests from the French authority: two about Jean Dupont (one found by
    identifier only, with another spelling), one about someone else that mentions him."""
    about = request_create(actor=fr_handler, requester=fr_authority, data=draft_data(de_authority))
    about = request_act(actor=fr_handler, request=about, action="submit")
    by_id = request_create(
        actor=fr_handler,
        requester=fr_authority,
        data=draft_data(de_authority, subject_name="J. Dupond", subject_identifiers="arch 75 1234, FR998"),
    )
    other = request_create(
        actor=fr_handler,
        requester=fr_authority,
        data=draft_data(
            de_authority,
            subject_name="Marie Curie",
            subject_identifiers="ARCH-75-9999",
            free_text="Elle a travaillé avec JEAN DUPONT à Lyon.",
        ),
    )
    return about, by_id, other


@pytest.fixture
def dsr(fr_admin, fr_authority):
    return subject_request_create(
        actor=fr_admin,
        authority=fr_authority,
        kind="access",
        person_name="Jean Dupont",
        person_identifiers="ARCH-75-1234",
    )


def test_names_compare_without_accents_case_or_punctuation():
    assert normalise("Müller-Lüdenscheidt, Jürgen") == normalise("MULLER LUDENSCHEIDT jurgen")


def test_the_local_administrator_finds_every_exchange_about_the_person(exchanges, dsr):
    about, by_id, other = exchanges
    found = {h.request.pk: h for h in holdings(dsr)}
    assert set(found) == {about.pk, by_id.pk, other.pk}
    assert found[about.pk].by_name and found[about.pk].by_identifier
    assert found[by_id.pk].by_identifier and not found[by_id.pk].by_name
    assert found[other.pk].mentioned and not found[other.pk].by_name


def test_a_name_in_another_order_and_case_is_found_but_not_a_different_person(exchanges, fr_admin, fr_authority):
    sr = subject_request_create(actor=fr_admin, authority=fr_authority, kind="access", person_name="DUPONT jean")
    assert exchanges[0].pk in {h.request.pk for h in holdings(sr)}
    nobody = subject_request_create(actor=fr_admin, authority=fr_authority, kind="access", person_name="Jean Valjean")
    assert holdings(nobody) == []


def test_the_search_stays_within_the_authority_s_own_exchanges(exchanges, de_admin, de_authority):
    """The German authority received only the submitted request; the French drafts are not its."""
    sr = subject_request_create(actor=de_admin, authority=de_authority, kind="access", person_name="Jean Dupont")
    assert {h.request.pk for h in holdings(sr)} == {exchanges[0].pk}


def test_only_a_local_administrator_of_the_authority_records_a_request(fr_handler, de_admin, fr_authority):
    for actor in (fr_handler, de_admin):
        with pytest.raises(PermissionDenied):
            subject_request_create(actor=actor, authority=fr_authority, kind="access", person_name="Jean Dupont")
    assert not SubjectRequest.objects.exists()


def test_bad_input_names_the_field_and_records_nothing(fr_admin, fr_authority):
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    with pytest.raises(ValidationError) as error:
        subject_request_create(actor=fr_admin, authority=fr_authority, kind="gossip", received_on=tomorrow)
    assert set(error.value.message_dict) == {"kind", "person_name", "received_on"}
    assert not SubjectRequest.objects.exists()


def test_the_thirty_day_deadline_is_tracked_and_reminded_once(fr_admin, fr_authority):
    received = timezone.localdate() - datetime.timedelta(days=25)
    sr = subject_request_create(
        actor=fr_admin, authority=fr_authority, kind="access", person_name="Jean Dupont", received_on=received
    )
    assert sr.due_on == received + datetime.timedelta(days=30)
    assert sr.days_left == 5 and not sr.is_overdue
    assert remind_subject_requests() == 1
    assert remind_subject_requests() == 0
    assert Notification.objects.filter(recipient=fr_admin, kind=Kind.SUBJECT_REQUEST_DUE).count() == 1


def test_rectification_changes_the_shared_exchange_records_an_event_and_tells_the_other_side(
    exchanges, dsr, fr_admin, de_handler
):
    about = exchanges[0]
    subject_data_rectify(
        actor=fr_admin,
        subject_request=dsr,
        request_pk=about.pk,
        changes={"subject_address": "1 rue de Rivoli, Paris", "subject_name": "Jean Dupont"},
    )
    about.refresh_from_db()
    assert about.subject_address == "1 rue de Rivoli, Paris"
    event = RequestEvent.objects.filter(request=about).last()
    assert (event.action, event.data) == ("personal_data_rectified", {"fields": ["subject_address"]})
    assert "Rivoli" not in json.dumps(event.data)
    assert Notification.objects.filter(recipient=de_handler, kind=Kind.DATA_RECTIFIED, request=about).exists()
    assert AuditEntry.objects.filter(action="personal_data.rectified", object_id=str(about.pk)).exists()


def test_rectification_refuses_exchanges_not_found_for_the_person_and_stale_versions(exchanges, fr_admin, fr_authority):
    sr = subject_request_create(actor=fr_admin, authority=fr_authority, kind="rectification", person_name="Marie Curie")
    about = exchanges[0]  # about Jean Dupont, not Marie Curie
    with pytest.raises(Http404):
        subject_data_rectify(actor=fr_admin, subject_request=sr, request_pk=about.pk, changes={"subject_name": "X"})
    other = exchanges[2]
    with pytest.raises(RequestChanged):
        subject_data_rectify(
            actor=fr_admin,
            subject_request=sr,
            request_pk=other.pk,
            changes={"subject_name": "Marie Skłodowska-Curie"},
            version=other.version - 1,
        )
    assert InformationRequest.objects.get(pk=other.pk).subject_name == "Marie Curie"


def test_contested_data_is_marked_for_both_authorities(exchanges, dsr, fr_admin, client_for, de_handler):
    about = exchanges[0]
    subject_data_contest(actor=fr_admin, subject_request=dsr, request_pk=about.pk, reason="The address is wrong.")
    with pytest.raises(ValidationError):
        subject_data_contest(actor=fr_admin, subject_request=dsr, request_pk=about.pk, reason="Again.")
    assert ContestMark.objects.filter(request=about, lifted_at__isnull=True).count() == 1
    page = client_for(de_handler).get(reverse("exchanges:detail", args=[about.pk])).content.decode()
    assert 'id="contested"' in page and "The address is wrong." in page
    assert Notification.objects.filter(recipient=de_handler, kind=Kind.DATA_CONTESTED).exists()


def test_a_completed_request_can_no_longer_change_data(exchanges, dsr, fr_admin):
    subject_request_complete(actor=fr_admin, subject_request=dsr, outcome="Copy sent by post.")
    with pytest.raises(ValidationError):
        subject_data_rectify(
            actor=fr_admin, subject_request=dsr, request_pk=exchanges[0].pk, changes={"subject_name": "Jean Dupond"}
        )
    assert InformationRequest.objects.get(pk=exchanges[0].pk).subject_name == "Jean Dupont"


def test_the_pages_show_export_and_print_what_is_held(exchanges, dsr, fr_admin, client_for):
    client = client_for(fr_admin)
    listing = client.get(reverse("privacy:subject_requests")).content.decode()
    assert "Jean Dupont" in listing
    page = client.get(reverse("privacy:subject_request", args=[dsr.pk])).content.decode()
    assert page.count('class="govuk-summary-card__title"') == 3 and "ARCH-75-9999" in page
    response = client.get(reverse("privacy:export_json", args=[dsr.pk]))
    assert response["Content-Type"].startswith("application/json")
    data = json.loads(response.content)
    assert {x["subject"]["name"] for x in data["exchanges"]} == {"Jean Dupont", "J. Dupond", "Marie Curie"}
    assert data["data_subject_request"]["person_name"] == "Jean Dupont"
    printable = client.get(reverse("privacy:export_print", args=[dsr.pk])).content.decode()
    assert "J. Dupond" in printable and "data-print" in printable
    exported = AuditEntry.objects.filter(action="personal_data.export", object_id=str(dsr.pk))
    assert exported.count() == 2


def test_a_request_recorded_through_the_page_lands_on_its_results(exchanges, fr_admin, client_for):
    client = client_for(fr_admin)
    response = client.post(
        reverse("privacy:subject_request_create"),
        {
            "authority": fr_admin.memberships.get().authority_id,
            "kind": "access",
            "person_name": "Jean Dupont",
            **date_fields("received_on", timezone.localdate()),
        },
    )
    sr = SubjectRequest.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("privacy:subject_request", args=[sr.pk])


def test_the_form_shows_errors_in_the_user_s_language_and_records_nothing(fr_admin, client_for):
    response = client_for(fr_admin).post(
        reverse("privacy:subject_request_create"),
        {
            "authority": fr_admin.memberships.get().authority_id,
            "kind": "access",
            **date_fields("received_on", datetime.date(2026, 1, 1)),
        },
    )
    assert response.status_code == 200
    assert "Indiquez le nom de la personne" in response.content.decode()
    assert not SubjectRequest.objects.exists()


def test_rectify_and_contest_through_the_pages(exchanges, dsr, fr_admin, client_for):
    client = client_for(fr_admin)
    about = exchanges[0]
    prefix = f"r{about.pk}"
    response = client.post(
        reverse("privacy:rectify", args=[dsr.pk, about.pk]),
        {
            f"{prefix}-version": about.version,
            f"{prefix}-subject_name": "Jean Dupont",
            f"{prefix}-subject_identifiers": "ARCH-75-1234",
            f"{prefix}-subject_address": "Lyon",
            **date_fields(f"{prefix}-subject_birth_date", datetime.date(1970, 5, 1)),
        },
    )
    assert response.status_code == 302
    about.refresh_from_db()
    assert (about.subject_address, about.subject_birth_date) == ("Lyon", datetime.date(1970, 5, 1))
    client.post(reverse("privacy:contest", args=[dsr.pk, about.pk]), {f"c{about.pk}-reason": "Wrong date."})
    mark = ContestMark.objects.get()
    client.post(reverse("privacy:contest_lift", args=[mark.pk]))
    mark.refresh_from_db()
    assert mark.lifted_at is not None


def test_other_users_cannot_reach_a_data_subject_request(dsr, client_for, fr_handler, de_admin, outsider, operator):
    urls = [
        reverse("privacy:subject_request", args=[dsr.pk]),
        reverse("privacy:export_json", args=[dsr.pk]),
        reverse("privacy:export_print", args=[dsr.pk]),
    ]
    for user in (fr_handler, de_admin, outsider, operator):
        client = client_for(user)
        for url in urls:
            assert client.get(url).status_code == 404, (user.email, url)
        assert client.post(reverse("privacy:complete", args=[dsr.pk]), {"outcome": "x"}).status_code == 404
    dsr.refresh_from_db()
    assert dsr.status == "open"


def test_blocked_data_is_shown_only_through_the_data_subject_request_and_audited(
    fr_handler, fr_authority, de_authority, de_handler, fr_admin, client_for
):
    r = request_create(actor=fr_handler, requester=fr_authority, data=draft_data(de_authority))
    r = request_act(actor=fr_handler, request=r, action="submit")
    r = request_act(actor=de_handler, request=r, action="accept")
    r = request_act(actor=de_handler, request=r, action="answer", answers=ANSWERS, text="Echt.")
    r = request_act(actor=fr_handler, request=r, action="accept_answer")
    apply_retention(timezone.now() + datetime.timedelta(days=200))
    assert "Jean Dupont" not in client_for(fr_handler).get(reverse("exchanges:detail", args=[r.pk])).content.decode()
    sr = subject_request_create(actor=fr_admin, authority=fr_authority, kind="access", person_name="Jean Dupont")
    page = client_for(fr_admin).get(reverse("privacy:subject_request", args=[sr.pk])).content.decode()
    assert "ARCH-75-1234" in page
    entry = AuditEntry.objects.filter(action="personal_data.view_blocked").get()
    assert (entry.object_id, entry.authority_id, entry.data["subject_request"]) == (str(r.pk), fr_authority.pk, sr.pk)


def test_deleted_data_cannot_be_found(fr_handler, fr_authority, de_authority, fr_admin):
    r = request_create(actor=fr_handler, requester=fr_authority, data=draft_data(de_authority))
    r = request_act(actor=fr_handler, request=r, action="submit")
    r = request_act(actor=fr_handler, request=r, action="withdraw")
    apply_retention(timezone.now() + datetime.timedelta(days=4 * 365))
    sr = subject_request_create(
        actor=fr_admin, authority=fr_authority, kind="access", person_identifiers="ARCH-75-1234"
    )
    assert holdings(sr) == []


def test_retention_deletes_contest_marks_with_the_data_and_old_completed_requests(exchanges, dsr, fr_admin):
    about = exchanges[0]
    subject_data_contest(actor=fr_admin, subject_request=dsr, request_pk=about.pk, reason="Wrong address.")
    subject_request_complete(actor=fr_admin, subject_request=dsr, outcome="Answered.")
    about = request_act(actor=about.created_by, request=about, action="withdraw")
    result = apply_retention(timezone.now() + datetime.timedelta(days=2 * 365))
    assert "subject_requests_deleted" not in result and ContestMark.objects.exists()
    result = apply_retention(timezone.now() + datetime.timedelta(days=4 * 365))
    assert result["deleted"] == 1 and result["subject_requests_deleted"] == 1
    assert not ContestMark.objects.exists() and not SubjectRequest.objects.exists()


def test_the_home_page_tells_local_administrators_what_is_due(fr_admin, fr_handler, fr_authority, client_for):
    received = timezone.localdate() - datetime.timedelta(days=26)
    subject_request_create(
        actor=fr_admin, authority=fr_authority, kind="access", person_name="Jean Dupont", received_on=received
    )
    subject_request_create(actor=fr_admin, authority=fr_authority, kind="access", person_name="Marie Curie")
    page = client_for(fr_admin).get("/").content.decode()
    assert reverse("privacy:subject_requests") in page and "govuk-tag--yellow" in page
    assert reverse("privacy:subject_requests") not in client_for(fr_handler).get("/").content.decode()


def test_empty_contest_and_outcome_stay_on_the_page_with_the_error(exchanges, dsr, fr_admin, client_for):
    client = client_for(fr_admin)
    about = exchanges[0]
    page = client.post(reverse("privacy:contest", args=[dsr.pk, about.pk]), {f"c{about.pk}-reason": ""})
    body = page.content.decode()
    assert page.status_code == 200 and body.count('class="govuk-error-summary"') == 1
    assert f'href="#id_c{about.pk}-reason"' in body and "govuk-form-group--error" in body
    assert re.search(r"<title>Erreur\s?: ", body)  # the administrator reads French
    opened = body.index('<details class="govuk-details" open>')
    assert f'id="id_c{about.pk}-reason"' in body[opened : body.index("</details>", opened)]
    assert not ContestMark.objects.exists()
    body = client.post(reverse("privacy:complete", args=[dsr.pk]), {"outcome": ""}).content.decode()
    assert 'href="#id_outcome"' in body and "govuk-notification-banner" not in body
    dsr.refresh_from_db()
    assert dsr.status == SubjectRequest.Status.OPEN
