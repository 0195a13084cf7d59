"""The compose form offers only the legal areas the requesting authority holds, shows the area
whose questions it lists, and saving it untouched gives no contradictory error (issue 13,
item 4)."""

import re

from django.urls import reverse

from openimi.exchanges.models import InformationRequest
from openimi.questionnaires.models import QuestionSet


def _options(html: str, name: str) -> tuple[list[str], list[str]]:
    select = re.search(rf'<select name="{name}".*?</select>', html, re.S).group(0)
    values = re.findall(r'<option value="([^"]*)"', select)
    chosen = re.findall(r'<option value="([^"]*)"[^>]*selected', select)
    return values, chosen


def test_only_the_authority_s_legal_areas_are_offered(client_for, fr_handler):
    html = client_for(fr_handler).get(reverse("exchanges:compose")).content.decode()
    values, chosen = _options(html, "legal_area")
    # The fixture's authority holds Professional qualifications only; the others exist.
    assert values == ["professional_qualifications"] and chosen == ["professional_qualifications"]
    assert QuestionSet.objects.filter(is_current=True).exclude(legal_area_id="professional_qualifications").exists()


def test_an_area_the_authority_does_not_hold_falls_back_to_one_it_holds(client_for, fr_handler):
    html = client_for(fr_handler).get(reverse("exchanges:compose"), {"legal_area": "services"}).content.decode()
    _values, chosen = _options(html, "legal_area")
    listed = set(re.findall(r'name="questions" type="checkbox" value="([^"]+)"', html))
    qset = QuestionSet.objects.get(legal_area_id="professional_qualifications", is_current=True)
    assert chosen == ["professional_qualifications"]
    assert listed and listed <= set(qset.questions.values_list("code", flat=True))


def test_saving_the_form_as_shown_saves_a_draft(client_for, fr_handler, fr_authority):
    client = client_for(fr_handler)
    html = client.get(reverse("exchanges:compose")).content.decode()
    _values, [area] = _options(html, "legal_area")
    question = re.findall(r'name="questions" type="checkbox" value="([^"]+)"', html)[0]
    response = client.post(
        reverse("exchanges:compose"),
        {"requester": fr_authority.pk, "legal_area": area, "questions": [question], "free_text_language": "fr"},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    draft = InformationRequest.objects.get()
    assert draft.legal_area_id == area and [q.question.code for q in draft.chosen.all()] == [question]
