from django import forms, template

from openimi.core.forms import DateInput
from openimi.exchanges.models import State
from openimi.exchanges.workflow import event_label

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
def is_date_input(field) -> bool:
    """The three-field date input, rendered as a fieldset with a legend (GOV.UK pattern)."""
    return isinstance(field.field.widget, DateInput)


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


register.filter("event_label", event_label)


@register.filter
def state_label(value: str) -> str:
    return str(State(value).label) if value in State.values else value
