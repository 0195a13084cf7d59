import copy

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError

from openimi.questionnaires.models import AnswerOption, Question, QuestionGroup, QuestionSet, QuestionType
from openimi.questionnaires.services import clean_answer, question_set_export, question_set_import

LANGUAGES = [code for code, _name in settings.LANGUAGES]


def test_the_four_shipped_sets_exist_with_every_question_type(db):
    sets = QuestionSet.objects.filter(is_current=True)
    assert set(sets.values_list("legal_area_id", flat=True)) == {
        "services",
        "professional_qualifications",
        "posting_of_workers",
        "general_cooperation",
    }
    assert set(Question.objects.values_list("type", flat=True)) == set(QuestionType.values)
    assert Question.objects.exclude(condition_question="").exists()


def test_every_text_of_every_set_exists_in_all_26_languages(db):
    missing = []
    for model, field in (
        (QuestionSet, "titles"),
        (QuestionGroup, "titles"),
        (Question, "texts"),
        (AnswerOption, "labels"),
    ):
        for obj in model.objects.all():
            texts = getattr(obj, field)
            missing += [(model.__name__, obj.pk, lang) for lang in LANGUAGES if not (texts.get(lang) or "").strip()]
    assert missing == []


def test_translations_are_not_english_copies(db):
    copies = [
        (q.code, lang)
        for q in Question.objects.all()
        for lang in LANGUAGES
        if lang != "en" and q.texts[lang] == q.texts["en"]
    ]
    assert copies == []


def test_conditions_refer_to_questions_of_the_same_set(db):
    for question in Question.objects.exclude(condition_question=""):
        assert question.question_set.questions.filter(code=question.condition_question).exists()


def test_export_then_import_makes_a_new_version(operator):
    qset = QuestionSet.objects.get(code="services", is_current=True)
    document = question_set_export(qset)
    new = question_set_import(actor=operator, document=document)
    assert (new.version, new.is_current) == (qset.version + 1, True)
    qset.refresh_from_db()
    assert not qset.is_current
    assert question_set_export(new)["groups"] == document["groups"]


def test_import_refuses_incomplete_or_inconsistent_sets(operator):
    document = question_set_export(QuestionSet.objects.get(code="services", is_current=True))
    broken = copy.deepcopy(document)
    del broken["groups"][0]["questions"][0]["texts"]["mt"]
    broken["groups"][0]["questions"][1]["type"] = "colour"
    broken["groups"][0]["questions"][0]["condition"] = {"question": "later_one", "equals": "yes"}
    with pytest.raises(ValidationError) as caught:
        question_set_import(actor=operator, document=broken)
    problems = " ".join(caught.value.message_dict["file"])
    assert "mt" in problems and "unknown type" in problems and "earlier question" in problems
    assert QuestionSet.objects.filter(code="services").count() == 1


def test_only_operators_import(fr_coordinator):
    with pytest.raises(PermissionDenied):
        question_set_import(actor=fr_coordinator, document={})


def test_import_command_reports_problems(operator, tmp_path):
    path = tmp_path / "set.json"
    path.write_text("{not json", encoding="utf-8")
    with pytest.raises(CommandError):
        call_command("questionset_import", str(path), "--operator", operator.email)


@pytest.mark.parametrize(
    "kind,value,expected",
    [
        ("yes_no", "yes", "yes"),
        ("yes_no_unknown", "unknown", "unknown"),
        ("date", "2024-02-29", "2024-02-29"),
        ("number", "12,5", "12.5"),
        ("text", "  ok  ", "ok"),
    ],
)
def test_answers_are_normalised(db, kind, value, expected):
    question = Question.objects.filter(type=kind).first()
    assert clean_answer(question, value) == expected


@pytest.mark.parametrize(
    "kind,value",
    [
        ("yes_no", "unknown"),
        ("date", "2024-02-30"),
        ("number", "NaN"),
        ("number", "1e400"),
        ("single_choice", "not_an_option"),
        ("multiple_choice", ["x"]),
        ("file", [999]),
        ("text", "a" * 10_001),
    ],
)
def test_bad_answers_are_refused(db, kind, value):
    question = Question.objects.filter(type=kind).first()
    with pytest.raises(ValidationError):
        clean_answer(question, value)
