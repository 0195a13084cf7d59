from django import forms, template

from openimi.core.i18n import pick

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
def is_multiple_checkbox(field) -> bool:
    return isinstance(field.field.widget, forms.CheckboxSelectMultiple)


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
def translated(texts, language=None) -> str:
    """``{{ area.names|translated }}``: the text in the active language."""
    return pick(texts, language)
