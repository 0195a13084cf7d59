from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from openimi.core.forms import DateField, DateInput
from openimi.privacy.models import SubjectRequest


class SubjectRequestForm(forms.Form):
    authority = forms.ChoiceField(label=_("Authority that received the request"))
    kind = forms.ChoiceField(label=_("What the person asks for"), choices=SubjectRequest.Kind.choices)
    person_name = forms.CharField(label=_("Name of the person"), required=False, max_length=300)
    person_identifiers = forms.CharField(
        label=_("Identifiers"),
        required=False,
        max_length=300,
        help_text=_("Registration, tax or licence numbers, separated by commas."),
    )
    received_on = DateField(label=_("Received on"))
    note = forms.CharField(label=_("Note"), required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, authorities=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["authority"].choices = list(authorities)
        if len(self.fields["authority"].choices) == 1:
            self.fields["authority"].widget = forms.HiddenInput()
            self.fields["authority"].initial = self.fields["authority"].choices[0][0]


class RectifyForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    subject_name = forms.CharField(label=_("Name of the professional or provider"), required=False, max_length=300)
    subject_identifiers = forms.CharField(label=_("Identifiers"), required=False, max_length=300)
    subject_address = forms.CharField(label=_("Address"), required=False, max_length=500)
    subject_birth_date = DateField(
        label=_("Date of birth"), required=False, widget=DateInput(attrs={"autocomplete": "bday"})
    )


class ContestForm(forms.Form):
    reason = forms.CharField(
        label=_("What the person contests"), max_length=5000, widget=forms.Textarea(attrs={"rows": 3})
    )


class CompleteForm(forms.Form):
    outcome = forms.CharField(
        label=_("How the request was answered"), max_length=5000, widget=forms.Textarea(attrs={"rows": 3})
    )


AUDIT_ACTIONS = [
    ("", pgettext_lazy("audit", "All actions")),
    ("personal_data.", pgettext_lazy("audit", "Personal data shown, exported or corrected")),
    ("request.", pgettext_lazy("audit", "Actions on requests")),
    ("authority.", pgettext_lazy("audit", "Changes to the directory")),
    ("subject_request.", pgettext_lazy("audit", "Data-subject requests")),
    ("attachment", pgettext_lazy("audit", "Documents")),
]


class AuditFilterForm(forms.Form):
    """``authorities`` lists the ones the reader may filter on; past :data:`AUTHORITY_CHOICES`
    of them a list is no help (a coordinator reads hundreds): the authority is then found by
    words of its name instead."""

    AUTHORITY_CHOICES = 30

    authority = forms.TypedChoiceField(label=_("Authority"), required=False, coerce=int, empty_value=None)
    authority_name = forms.CharField(
        label=_("Authority"), required=False, max_length=100, help_text=_("Words of the authority's name")
    )
    action = forms.ChoiceField(label=_("What"), required=False, choices=AUDIT_ACTIONS)
    actor = forms.CharField(label=_("E-mail address of the user"), required=False, max_length=254)
    since = DateField(label=pgettext_lazy("date range", "From"), required=False)
    until = DateField(label=pgettext_lazy("date range", "Until"), required=False)

    def __init__(self, *args, authorities=(), **kwargs):
        super().__init__(*args, **kwargs)
        if len(authorities) > self.AUTHORITY_CHOICES:
            del self.fields["authority"]
        else:
            del self.fields["authority_name"]
            self.fields["authority"].choices = [("", _("All authorities")), *authorities]
