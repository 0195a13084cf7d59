"""The operator's forms for reference data; labels are the models' own field names."""

from django import forms
from django.conf import settings
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from openimi.core.models import Country, Language, LegalArea, Term


def _label(model, name: str) -> str:
    return capfirst(model._meta.get_field(name).verbose_name)


def _help(model, name: str) -> str:
    return model._meta.get_field(name).help_text


class CountryForm(forms.Form):
    is_active = forms.BooleanField(label=_label(Country, "is_active"), required=False)
    default_language = forms.ChoiceField(label=_label(Country, "default_language"))

    def __init__(self, *args, country: Country, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["default_language"]
        assert isinstance(field, forms.ChoiceField)  # noqa: S101 - declared just above
        field.choices = [(lang.code, lang.name) for lang in country.languages.all()]


class LanguageForm(forms.Form):
    is_interface_language = forms.BooleanField(label=_label(Language, "is_interface_language"), required=False)


class LegalAreaForm(forms.Form):
    is_active = forms.BooleanField(label=_label(LegalArea, "is_active"), required=False)
    acceptance_days = forms.IntegerField(
        label=_label(LegalArea, "acceptance_days"), help_text=_help(LegalArea, "acceptance_days")
    )
    escalation_days = forms.IntegerField(
        label=_label(LegalArea, "escalation_days"), help_text=_help(LegalArea, "escalation_days")
    )
    retention_block_months = forms.IntegerField(
        label=_label(LegalArea, "retention_block_months"), help_text=_help(LegalArea, "retention_block_months")
    )


class TermForm(forms.Form):
    """A new competence term: a code and a label per interface language (English required)."""

    code = forms.CharField(label=_label(Term, "code"), max_length=64)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for code, name in settings.LANGUAGES:
            self.fields[f"label_{code}"] = forms.CharField(
                label=name, required=code == settings.LANGUAGE_CODE, max_length=200
            )

    def labels(self) -> dict[str, str]:
        return {code: self.cleaned_data.get(f"label_{code}", "") for code, _name in settings.LANGUAGES}


class QuestionSetImportForm(forms.Form):
    file = forms.FileField(label=_("Question set (JSON)"))
