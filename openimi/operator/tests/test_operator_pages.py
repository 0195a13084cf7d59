"""The operator's own pages: reference data, question sets and counts of the network, each
change through a service that writes the audit log. The operator never reaches what
authorities exchange, nor their officials."""

import json

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from openimi.core.models import Country, Language, LegalArea, Term
from openimi.directory.members import token_issue
from openimi.privacy.models import AuditEntry
from openimi.privacy.tests.test_authorization_matrix import SECRET_MARKERS, world  # noqa: F401 - a fixture
from openimi.questionnaires.models import QuestionSet

PAGES = [
    ("directory:operator", []),
    ("operator:countries", []),
    ("operator:country", ["FR"]),
    ("operator:languages", []),
    ("operator:language", ["fr"]),
    ("operator:legal_areas", []),
    ("operator:legal_area", ["services"]),
    ("operator:vocabularies", []),
    ("operator:question_sets", []),
    ("operator:statistics", []),
]


@pytest.mark.parametrize(("name", "args"), PAGES)
def test_the_operator_has_a_page_for_each_kind_of_reference_data(client_for, operator, name, args):
    response = client_for(operator).get(reverse(name, args=args))
    assert response.status_code == 200
    assert 'aria-label="Operator pages"' in response.content.decode()


@pytest.mark.parametrize(("name", "args"), PAGES)
def test_nobody_else_reaches_the_operator_pages(client_for, fr_coordinator, name, args):
    assert client_for(fr_coordinator).get(reverse(name, args=args)).status_code == 403


def test_the_operator_closes_a_country_and_changes_its_language(client_for, operator):
    client = client_for(operator)
    response = client.post(reverse("operator:country", args=["BE"]), {"default_language": "fr"})
    assert response.status_code == 302
    belgium = Country.objects.get(code="BE")
    assert not belgium.is_active and belgium.default_language_id == "fr"
    entry = AuditEntry.objects.get(action="reference.country_updated")
    assert entry.actor_id == operator.pk and entry.object_id == "BE"
    assert entry.data["fields"] == ["default_language_id", "is_active"]


def test_a_language_the_country_does_not_speak_is_refused(client_for, operator):
    response = client_for(operator).post(reverse("operator:country", args=["FR"]), {"default_language": "pl"})
    assert response.status_code == 200 and "govuk-error-message" in response.content.decode()
    assert Country.objects.get(code="FR").default_language_id == "fr"


def test_english_stays_an_interface_language(client_for, operator):
    client = client_for(operator)
    assert client.post(reverse("operator:language", args=["en"]), {}).status_code == 200
    assert Language.objects.get(code="en").is_interface_language
    assert client.post(reverse("operator:language", args=["ga"]), {}).status_code == 302
    assert not Language.objects.get(code="ga").is_interface_language


def test_retention_stays_between_six_and_eighteen_months(client_for, operator):
    client = client_for(operator)
    url = reverse("operator:legal_area", args=["services"])
    data = {"is_active": "1", "acceptance_days": 10, "escalation_days": 5, "retention_block_months": 19}
    response = client.post(url, data)
    assert response.status_code == 200 and "from 6 to 18" in response.content.decode()
    response = client.post(url, {**data, "retention_block_months": 5})
    assert response.status_code == 200
    assert client.post(url, {**data, "retention_block_months": 12}).status_code == 302
    area = LegalArea.objects.get(code="services")
    assert (area.acceptance_days, area.escalation_days, area.retention_block_months) == (10, 5, 12)
    assert AuditEntry.objects.filter(action="reference.legal_area_updated", object_id="services").count() == 1


def test_the_operator_adds_a_term_with_its_labels(client_for, operator):
    vocabulary = Term.objects.select_related("vocabulary").first().vocabulary
    client = client_for(operator)
    url = reverse("operator:vocabulary", args=[vocabulary.code])
    response = client.post(url, {"code": "drone_pilot", "label_en": "Drone pilot", "label_fr": "Télépilote"})
    assert response.status_code == 302
    term = Term.objects.get(code="drone_pilot")
    assert term.vocabulary == vocabulary and term.labels == {"en": "Drone pilot", "fr": "Télépilote"}
    assert AuditEntry.objects.filter(action="reference.term_added", object_id="drone_pilot").exists()
    again = client.post(url, {"code": "drone_pilot", "label_en": "Drone pilot"})
    assert again.status_code == 200 and "already exists" in again.content.decode()
    bad = client.post(url, {"code": "Not A Slug", "label_en": "X"})
    assert bad.status_code == 200 and "lower-case" in bad.content.decode()


def test_the_operator_exports_and_imports_question_sets(client_for, operator):
    client = client_for(operator)
    qset = QuestionSet.objects.get(code="general_cooperation", is_current=True)
    exported = client.post(reverse("operator:question_set_export", args=[qset.pk]))
    document = json.loads(exported.content)
    assert document["code"] == "general_cooperation"
    upload = SimpleUploadedFile("set.json", json.dumps(document).encode(), content_type="application/json")
    response = client.post(reverse("operator:question_sets"), {"file": upload})
    assert response.status_code == 302
    assert QuestionSet.objects.get(code="general_cooperation", is_current=True).version == qset.version + 1
    for content in (b"{broken", b"[1, 2]", "\u00e9".encode("latin-1")):
        bad = SimpleUploadedFile("set.json", content, content_type="application/json")
        response = client.post(reverse("operator:question_sets"), {"file": bad})
        assert response.status_code == 200 and "not valid JSON" in response.content.decode()


def test_network_statistics_are_counts_without_names(world, client_for, operator):  # noqa: F811
    response = client_for(operator).get(reverse("operator:statistics"))
    body = response.content.decode()
    assert response.status_code == 200 and "Sent" in body and "France" in body
    for marker in SECRET_MARKERS:
        assert marker not in body
    assert "Ordre des architectes" not in body  # no authority is named either


def test_the_operator_reaches_no_exchange_content(world, client_for, operator):  # noqa: F811
    client = client_for(operator)
    r, authority = world["request"], world["authority"]
    for url in (
        reverse("exchanges:detail", args=[r.pk]),
        reverse("exchanges:download", args=[r.pk, world["attachment"].pk]),
        reverse("privacy:subject_request", args=[world["subject_request"].pk]),
        reverse("privacy:export_json", args=[world["subject_request"].pk]),
    ):
        assert client.get(url).status_code == 404, url
    # The member list (with phones) answers 403 like every directory page the reader may not manage.
    assert client.get(reverse("directory:members", args=[authority.pk])).status_code == 403
    assert client.get(reverse("privacy:audit")).status_code in (403, 404)
    assert client.get(f"/api/v1/requests/{r.pk}").status_code == 401
    with pytest.raises(PermissionDenied):
        token_issue(actor=operator, authority=authority, name="operator")
