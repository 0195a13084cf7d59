from django import forms, template
from django.utils.translation import pgettext_lazy

register = template.Library()

_CLASSES = {
    forms.Select: "govuk-select",
    forms.SelectMultiple: "govuk-select",
    forms.Textarea: "govuk-textarea",
    forms.FileInput: "govuk-file-upload",
    forms.ClearableFileInput: "govuk-file-upload",
    forms.CheckboxInput: "govuk-checkboxes__input",
}


@register.filter
def choice_kind(field) -> str:
    """ "checkboxes" or "radios" for fields rendered as a GOV.UK fieldset, else ""."""
    widget = field.field.widget
    if isinstance(widget, forms.CheckboxSelectMultiple):
        return "checkboxes"
    if isinstance(widget, forms.RadioSelect):
        return "radios"
    return ""


@register.filter
def is_checkbox(field) -> bool:
    return isinstance(field.field.widget, forms.CheckboxInput)


@register.simple_tag
def govuk_widget(field):
    """Render a bound field's widget with GOV.UK classes and the hint/error descriptions."""
    widget = field.field.widget
    css = next((c for kind, c in _CLASSES.items() if type(widget) is kind), "govuk-input")
    if field.errors:
        css += {"govuk-select": " govuk-select--error", "govuk-textarea": " govuk-textarea--error"}.get(
            css, " govuk-input--error"
        )
    described = []
    if field.help_text:
        described.append(f"{field.auto_id}-hint")
    if field.errors:
        described.append(f"{field.auto_id}-error")
    attrs = {"class": css}
    if described:
        attrs["aria-describedby"] = " ".join(described)
    return field.as_widget(attrs=attrs)


@register.filter
def get_item(mapping, key):
    return mapping.get(key) if hasattr(mapping, "get") else None


_EVENT_LABELS = {
    "created": pgettext_lazy("event", "Draft created"),
    "edited": pgettext_lazy("event", "Draft edited"),
    "overdue": pgettext_lazy("event", "Deadline passed"),
    "escalated": pgettext_lazy("event", "Escalated to the coordinators"),
    "attachment_added": pgettext_lazy("event", "Document attached"),
    "personal_data_rectified": pgettext_lazy("event", "Personal data rectified at the person's request"),
    "personal_data_contested": pgettext_lazy("event", "Personal data contested by the person"),
    "personal_data_contest_lifted": pgettext_lazy("event", "Contest mark lifted"),
}


@register.filter
def event_label(action: str) -> str:
    return str(_EVENT_LABELS.get(action, action))


@register.filter
def state_label(value: str) -> str:
    from openimi.exchanges.models import State

    return str(State(value).label) if value in State.values else value
