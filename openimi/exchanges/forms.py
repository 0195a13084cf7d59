from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from openimi.core.forms import DateField, DateInput
from openimi.core.models import Country
from openimi.exchanges.models import Message, State
from openimi.questionnaires.models import QuestionType

YES_NO = [("yes", _("Yes")), ("no", _("No"))]
YES_NO_UNKNOWN = [*YES_NO, ("unknown", _("Not known"))]


class BoxForm(forms.Form):
    state = forms.ChoiceField(label=_("State"), required=False)
    legal_area = forms.ChoiceField(label=_("Legal area"), required=False)
    country = forms.ChoiceField(label=_("Country of the other authority"), required=False)
    handler = forms.ChoiceField(
        label=_("Handler"), required=False, choices=[("", _("Anyone")), ("me", _("Allocated to me"))]
    )
    overdue = forms.BooleanField(label=_("Only overdue requests"), required=False)
    q = forms.CharField(label=_("Reference or name of the subject"), required=False, max_length=100)
    sort = forms.ChoiceField(
        label=_("Sort by"),
        required=False,
        choices=[
            ("updated", _("Most recently changed")),
            ("oldest", _("Least recently changed")),
            ("reply_by", _("Reply date")),
            ("created", _("Newest first")),
        ],
    )

    def __init__(self, *args, areas=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["state"].choices = [("", _("All states")), *State.choices]
        self.fields["legal_area"].choices = [("", _("All legal areas")), *areas]
        self.fields["country"].choices = [("", _("All countries"))] + [(c.code, c.name) for c in Country.objects.all()]


class ComposeForm(forms.Form):
    """A draft. Questions come from the current question set of the chosen legal area."""

    requester = forms.ChoiceField(label=_("On behalf of"))
    legal_area = forms.ChoiceField(label=_("Legal area"))
    responder_country = forms.ChoiceField(label=_("Country of the responding authority"), required=False)
    responder_q = forms.CharField(label=_("Name or city of the responding authority"), required=False, max_length=100)
    responder = forms.IntegerField(label=_("Responding authority"), required=False, widget=forms.RadioSelect)
    subject_name = forms.CharField(
        label=_("Name of the professional or provider"),
        max_length=300,
        required=False,
        help_text=_("Personal data: visible only to the two authorities."),
    )
    subject_identifiers = forms.CharField(
        label=_("Identifiers"),
        max_length=300,
        required=False,
        help_text=_("Registration numbers, VAT or tax number, licence number …"),
    )
    subject_address = forms.CharField(label=_("Address"), max_length=500, required=False)
    subject_birth_date = DateField(
        label=_("Date of birth"), required=False, widget=DateInput(attrs={"autocomplete": "bday"})
    )
    questions = forms.MultipleChoiceField(label=_("Questions"), required=False, widget=forms.CheckboxSelectMultiple)
    free_text = forms.CharField(
        label=_("Your message"), required=False, max_length=20_000, widget=forms.Textarea(attrs={"rows": 5})
    )
    free_text_language = forms.ChoiceField(label=_("Language of your message"), choices=settings.LANGUAGES)
    reply_by = DateField(label=_("Reply by"), required=False)

    def __init__(self, *args, requesters=(), areas=(), questions=(), responders=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["requester"].choices = requesters
        self.fields["legal_area"].choices = areas
        self.fields["responder_country"].choices = [("", _("Any country"))] + [
            (c.code, c.name) for c in Country.objects.filter(is_active=True)
        ]
        self.fields["questions"].choices = questions
        self.fields["responder"].widget.choices = responders
        self.responders = responders


class AnswerForm(forms.Form):
    """One field per chosen question, typed like the question."""

    partial = forms.BooleanField(label=_("This is a partial answer; more will follow"), required=False)
    text = forms.CharField(
        label=_("Message to the requester"), required=False, max_length=20_000, widget=forms.Textarea(attrs={"rows": 4})
    )

    def __init__(self, *args, rows=(), attachments=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.question_fields = []
        for row in rows:
            question, answer = row["question"], row["answer"]
            name = f"q_{question.code}"
            self.fields[name] = self._field(question, attachments)
            self.fields[name].label = question.text
            if answer is not None:
                self.fields[name].initial = answer.value
            self.question_fields.append(name)
        self.order_fields([*self.question_fields, "text", "partial"])

    @staticmethod
    def _field(question, attachments) -> forms.Field:
        kind = question.type
        if kind in (QuestionType.YES_NO, QuestionType.YES_NO_UNKNOWN):
            choices = YES_NO if kind == QuestionType.YES_NO else YES_NO_UNKNOWN
            return forms.ChoiceField(choices=choices, required=False, widget=forms.RadioSelect)
        options = [(o.code, o.label) for o in question.options.all()]
        if kind == QuestionType.SINGLE_CHOICE:
            return forms.ChoiceField(choices=options, required=False, widget=forms.RadioSelect)
        if kind == QuestionType.MULTIPLE_CHOICE:
            return forms.MultipleChoiceField(choices=options, required=False, widget=forms.CheckboxSelectMultiple)
        if kind == QuestionType.DATE:
            return DateField(required=False)
        if kind == QuestionType.NUMBER:
            # Localised: "3,5" is typed and shown in French, "3.5" in English (a text input, as
            # <input type="number"> follows the browser's locale, not the page's).
            return forms.DecimalField(
                required=False,
                max_digits=18,
                decimal_places=4,
                localize=True,
                widget=forms.TextInput(attrs={"inputmode": "decimal"}),
            )
        if kind == QuestionType.FILE:
            return forms.MultipleChoiceField(
                choices=attachments,
                required=False,
                widget=forms.CheckboxSelectMultiple,
                help_text=_("Upload the document below first, then tick it here."),
            )
        return forms.CharField(required=False, max_length=10_000, widget=forms.Textarea(attrs={"rows": 3}))

    def answers(self) -> dict:
        out = {}
        for name in self.question_fields:
            value = self.cleaned_data.get(name)
            if value is None or value in ("", []):
                continue
            out[name.removeprefix("q_")] = (
                value.isoformat()
                if hasattr(value, "isoformat")
                else (str(value) if not isinstance(value, list | str) else value)
            )
        return out


class ActionForm(forms.Form):
    """The small form behind one action button; only the fields the action needs are shown."""

    action = forms.CharField(widget=forms.HiddenInput)
    version = forms.IntegerField(widget=forms.HiddenInput)
    text = forms.CharField(
        label=_("Message"), required=False, max_length=20_000, widget=forms.Textarea(attrs={"rows": 3})
    )
    to_authority = forms.TypedChoiceField(
        label=_("Authority to forward to"), required=False, coerce=int, empty_value=None
    )
    handler = forms.ChoiceField(label=_("Handler"), required=False)
    date = DateField(label=_("Proposed reply date"), required=False)
    rating_timeliness = forms.ChoiceField(
        label=_("Timeliness of the answer"),
        required=False,
        choices=[("", _("No rating"))] + [(str(i), str(i)) for i in range(1, 6)],
        help_text=_("1 = very poor, 5 = excellent"),
    )
    rating_effort = forms.ChoiceField(
        label=_("Effort made to answer"),
        required=False,
        choices=[("", _("No rating"))] + [(str(i), str(i)) for i in range(1, 6)],
        help_text=_("1 = very poor, 5 = excellent"),
    )

    FIELDS_BY_ACTION = {
        "forward": ["to_authority"],
        "allocate": ["handler"],
        "propose_date": ["date"],
        "accept_answer": ["rating_timeliness", "rating_effort"],
    }

    def __init__(self, *args, spec=None, handlers=(), forward_to=(), reason_required=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["handler"].choices = [("", _("Choose a handler")), *handlers]
        self.fields["to_authority"].choices = [("", _("Choose an authority")), *forward_to]
        if spec is not None:
            keep = {"action", "version", *self.FIELDS_BY_ACTION.get(spec.name, [])}
            if spec.needs_text or spec.message_kind:
                keep.add("text")
            for name in list(self.fields):
                if name not in keep:
                    del self.fields[name]
            if "text" in self.fields:
                self.fields["text"].required = spec.needs_text or reason_required
                if spec.asks_reason and spec.message_kind:
                    self.fields["text"].label = Message.Kind(spec.message_kind).label
                if reason_required:
                    self.fields["text"].error_messages["required"] = _("Give the reason: the other authority reads it.")
            self.spec = spec


class UploadForm(forms.Form):
    file = forms.FileField(label=_("Document"), help_text=_("PDF, image, office document or text; at most 10 MB."))
