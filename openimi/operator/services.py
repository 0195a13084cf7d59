"""Changes to reference data, made by the operator on its own pages. Each is written to the
audit log with the fields it changed (reference data holds no personal data)."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from openimi.core.models import Country, Language, LegalArea, Term, Vocabulary
from openimi.directory.permissions import Perm, require
from openimi.privacy.audit import audit

# IMI Regulation Art. 14: personal data is blocked at the latest 18 months after formal
# closure; fewer than 6 would block it before most follow-up questions come.
RETENTION_MONTHS = (6, 18)
DAYS = (1, 365)
MAX_LABEL = 200


def _save(*, actor, obj, action: str, values: dict) -> None:
    changed = sorted(name for name, value in values.items() if getattr(obj, name) != value)
    for name, value in values.items():
        setattr(obj, name, value)
    obj.save(update_fields=list(values))
    audit(actor=actor, action=action, obj=obj, fields=changed)


def country_update(*, actor, country: Country, is_active: bool, default_language: str) -> Country:
    """Open or close a country to OpenIMI, and choose the language its authorities start with."""
    require(actor, Perm.REFERENCE_MANAGE)
    if not country.languages.filter(code=default_language).exists():
        raise ValidationError({"default_language": _("Choose one of the proposed options.")})
    with transaction.atomic():
        country = Country.objects.select_for_update().get(pk=country.pk)
        values = {"is_active": bool(is_active), "default_language_id": default_language}
        _save(actor=actor, obj=country, action="reference.country_updated", values=values)
    return country


def language_update(*, actor, language: Language, is_interface_language: bool) -> Language:
    require(actor, Perm.REFERENCE_MANAGE)
    if language.code == settings.LANGUAGE_CODE and not is_interface_language:
        raise ValidationError(
            {"is_interface_language": _("The default language of the interface cannot be switched off.")}
        )
    with transaction.atomic():
        language = Language.objects.select_for_update().get(pk=language.pk)
        values = {"is_interface_language": bool(is_interface_language)}
        _save(actor=actor, obj=language, action="reference.language_updated", values=values)
    return language


def _check_range(errors: dict, name: str, value, bounds: tuple[int, int]) -> None:
    if not isinstance(value, int) or not bounds[0] <= value <= bounds[1]:
        errors[name] = _("Enter a whole number from %(min)d to %(max)d.") % {"min": bounds[0], "max": bounds[1]}


def legal_area_update(
    *,
    actor,
    legal_area: LegalArea,
    is_active: bool,
    acceptance_days: int,
    escalation_days: int,
    retention_block_months: int,
) -> LegalArea:
    """Deadlines and retention of a legal area. Its names are pre-translated and not edited here."""
    require(actor, Perm.REFERENCE_MANAGE)
    errors: dict = {}
    _check_range(errors, "acceptance_days", acceptance_days, DAYS)
    _check_range(errors, "escalation_days", escalation_days, DAYS)
    _check_range(errors, "retention_block_months", retention_block_months, RETENTION_MONTHS)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        legal_area = LegalArea.objects.select_for_update().get(pk=legal_area.pk)
        values = {
            "is_active": bool(is_active),
            "acceptance_days": acceptance_days,
            "escalation_days": escalation_days,
            "retention_block_months": retention_block_months,
        }
        _save(actor=actor, obj=legal_area, action="reference.legal_area_updated", values=values)
    return legal_area


def term_add(*, actor, vocabulary: Vocabulary, code: str, labels: dict[str, str]) -> Term:
    """Add a competence term with its label in English and any other interface language."""
    require(actor, Perm.REFERENCE_MANAGE)
    code = (code or "").strip()
    languages = dict(settings.LANGUAGES)
    labels = {lang: (text or "").strip() for lang, text in labels.items() if lang in languages and (text or "").strip()}
    errors: dict = {}
    if not code or slugify(code) != code or len(code) > 64:
        errors["code"] = _("Use at most 64 lower-case letters, digits, hyphens and underscores.")
    elif Term.objects.filter(code=code).exists():
        errors["code"] = _("A term with this code already exists.")
    if not labels.get(settings.LANGUAGE_CODE):
        errors[f"label_{settings.LANGUAGE_CODE}"] = _("Enter the English label.")
    too_long = [lang for lang, text in labels.items() if len(text) > MAX_LABEL]
    for lang in too_long:
        errors[f"label_{lang}"] = ngettext(
            "Use at most %(count)d character.", "Use at most %(count)d characters.", MAX_LABEL
        ) % {"count": MAX_LABEL}
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        term = Term.objects.create(code=code, vocabulary=vocabulary, labels=labels)
        audit(actor=actor, action="reference.term_added", obj=term, vocabulary=vocabulary.code)
    return term
