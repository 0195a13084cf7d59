"""Question sets: import and export as files (new version on every import), and the rules
an answer must follow for each question type."""

from collections.abc import Set
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from openimi.core.models import LegalArea
from openimi.lib import formats
from openimi.questionnaires.models import AnswerOption, Question, QuestionGroup, QuestionSet, QuestionType

LANGUAGES = [code for code, _name in settings.LANGUAGES]
CHOICE_TYPES = {QuestionType.SINGLE_CHOICE, QuestionType.MULTIPLE_CHOICE}
YES_NO_VALUES: dict[str, tuple[str, ...]] = {
    QuestionType.YES_NO: ("yes", "no"),
    QuestionType.YES_NO_UNKNOWN: ("yes", "no", "unknown"),
}
MAX_TEXT = 10_000


def _missing_languages(texts, where: str, problems: list[str]) -> None:
    if not isinstance(texts, dict):
        problems.append(_("%(where)s: texts must be a mapping of language codes to texts.") % {"where": where})
        return
    missing = [lang for lang in LANGUAGES if not str(texts.get(lang) or "").strip()]
    if missing:
        problems.append(
            _("%(where)s: missing languages %(languages)s.") % {"where": where, "languages": ", ".join(missing)}
        )


def validate_document(document: dict) -> list[str]:
    """Every problem of an imported question set, with where it is; empty when valid."""
    problems: list[str] = []
    if not isinstance(document, dict):
        return [_("The file must contain one question set (a JSON object).")]
    code = document.get("code")
    if not isinstance(code, str) or not code:
        problems.append(_("code: required."))
    if not LegalArea.objects.filter(code=document.get("legal_area")).exists():
        problems.append(_("legal_area: unknown legal area."))
    _missing_languages(document.get("titles"), "titles", problems)
    seen: list[str] = []
    groups = document.get("groups")
    if not isinstance(groups, list) or not groups:
        return problems + [_("groups: at least one group is required.")]
    for g, group in enumerate(groups, start=1):
        where = f"groups[{g}]"
        if not isinstance(group, dict) or not group.get("code"):
            problems.append(_("%(where)s: code required.") % {"where": where})
            continue
        _missing_languages(group.get("titles"), f"{where}.titles", problems)
        for q, question in enumerate(group.get("questions") or [], start=1):
            problems += _question_problems(question, f"{where}.questions[{q}]", seen)
    return problems


def _question_problems(question, where: str, seen: list[str]) -> list[str]:
    problems: list[str] = []
    if not isinstance(question, dict):
        return [_("%(where)s: must be an object.") % {"where": where}]
    code = question.get("code")
    if not code or code in seen:
        problems.append(_("%(where)s: code missing or used twice.") % {"where": where})
    if question.get("type") not in QuestionType.values:
        problems.append(_("%(where)s: unknown type.") % {"where": where})
    _missing_languages(question.get("texts"), f"{where}.texts", problems)
    condition = question.get("condition")
    if condition and condition.get("question") not in seen:
        problems.append(_("%(where)s: a condition can only refer to an earlier question.") % {"where": where})
    options = question.get("options") or []
    if question.get("type") in CHOICE_TYPES and not options:
        problems.append(_("%(where)s: choice questions need options.") % {"where": where})
    for o, option in enumerate(options, start=1):
        if not isinstance(option, dict) or not option.get("code"):
            problems.append(_("%(where)s.options[%(n)d]: code required.") % {"where": where, "n": o})
        else:
            _missing_languages(option.get("labels"), f"{where}.options[{o}].labels", problems)
    if code:
        seen.append(code)
    return problems


def question_set_import(*, actor, document: dict) -> QuestionSet:
    """Operators publish a question set from a file; an existing code gets a new version,
    and requests already sent keep the version they were sent with."""
    if not getattr(actor, "is_operator", False):
        raise PermissionDenied(_("Only operators manage question sets."))
    problems = validate_document(document)
    if problems:
        raise ValidationError({"file": problems})
    with transaction.atomic():
        previous = QuestionSet.objects.select_for_update().filter(code=document["code"])
        version = (previous.aggregate(v=Max("version"))["v"] or 0) + 1
        previous.update(is_current=False)
        qset = QuestionSet.objects.create(
            code=document["code"],
            version=version,
            legal_area_id=document["legal_area"],
            titles=document["titles"],
            is_current=True,
        )
        for g, group in enumerate(document["groups"]):
            grp = QuestionGroup.objects.create(
                question_set=qset, code=group["code"], position=g, titles=group["titles"]
            )
            for q, question in enumerate(group.get("questions") or []):
                condition = question.get("condition") or {}
                obj = Question.objects.create(
                    question_set=qset,
                    group=grp,
                    code=question["code"],
                    position=q,
                    type=question["type"],
                    texts=question["texts"],
                    condition_question=condition.get("question", ""),
                    condition_value=condition.get("equals", ""),
                )
                AnswerOption.objects.bulk_create(
                    [
                        AnswerOption(question=obj, code=o["code"], position=i, labels=o["labels"])
                        for i, o in enumerate(question.get("options") or [])
                    ]
                )
    return qset


def question_set_export(qset: QuestionSet) -> dict:
    groups = []
    questions = list(qset.questions.prefetch_related("options"))
    for group in qset.groups.all():
        items = []
        for q in (q for q in questions if q.group_id == group.pk):
            item = {"code": q.code, "type": q.type, "texts": q.texts}
            if q.condition_question:
                item["condition"] = {"question": q.condition_question, "equals": q.condition_value}
            if q.type in CHOICE_TYPES:
                item["options"] = [{"code": o.code, "labels": o.labels} for o in q.options.all()]
            items.append(item)
        groups.append({"code": group.code, "titles": group.titles, "questions": items})
    return {
        "code": qset.code,
        "version": qset.version,
        "legal_area": qset.legal_area_id,
        "titles": qset.titles,
        "groups": groups,
    }


def clean_answer(question: Question, value, *, attachment_ids: Set[int] = frozenset()):
    """The normalised value of an answer, or ValidationError saying what is wrong."""
    kind = question.type
    if value in (None, "", []):
        raise ValidationError(_("An answer is required."))
    if kind in YES_NO_VALUES:
        if value not in YES_NO_VALUES[kind]:
            raise ValidationError(_("Choose one of the proposed answers."))
        return value
    if kind in CHOICE_TYPES:
        codes = {o.code for o in question.options.all()}
        values = value if isinstance(value, list) else [value]
        if kind == QuestionType.SINGLE_CHOICE and len(values) != 1:
            raise ValidationError(_("Choose exactly one option."))
        if not all(isinstance(v, str) and v in codes for v in values):
            raise ValidationError(_("Choose among the proposed options."))
        return values[0] if kind == QuestionType.SINGLE_CHOICE else sorted(set(values))
    if kind == QuestionType.DATE:
        try:
            return formats.parse_iso_date(value).isoformat()
        except ValueError:
            raise ValidationError(_("Enter a date as YYYY-MM-DD.")) from None
    if kind == QuestionType.NUMBER:
        try:
            number = Decimal(str(value).replace(",", "."))
        except InvalidOperation:
            raise ValidationError(_("Enter a number.")) from None
        if not number.is_finite() or abs(number) > Decimal("1e15"):
            raise ValidationError(_("Enter a number."))
        return str(number)
    if kind == QuestionType.TEXT:
        text = str(value).strip()
        if len(text) > MAX_TEXT or "\x00" in text:
            raise ValidationError(_("The text is too long or contains characters that are not allowed."))
        return text
    ids = value if isinstance(value, list) else [value]
    try:
        ids = [int(v) for v in ids]
    except (TypeError, ValueError):
        raise ValidationError(_("Attach a document.")) from None
    if not ids or not set(ids) <= set(attachment_ids):
        raise ValidationError(_("Attach a document to this request first."))
    return ids
