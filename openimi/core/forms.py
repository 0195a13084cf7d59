"""The date input of the whole site: GOV.UK's three fields (day, month, year), never a native
date picker. Chromium's picker showed mm/dd/yyyy inside the French interface and took French-order
typing as another date; three labelled number fields cannot be misread in any language.

``DateField`` names the field in every error (its label), says which part is missing or wrong,
and marks only that part; its value is a ``datetime.date``. See docs/usability.md, "Dates".
"""

import datetime

from django import forms
from django.core.exceptions import ValidationError
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from openimi.lib import formats

PARTS = ("day", "month", "year")
PART_LABELS = {
    "day": pgettext_lazy("date input", "Day"),
    "month": pgettext_lazy("date input", "Month"),
    "year": pgettext_lazy("date input", "Year"),
}
# Whole sentences for each combination of missing parts (never glued from pieces).
MISSING = {
    ("day",): _("“%(field)s” must include a day."),
    ("month",): _("“%(field)s” must include a month."),
    ("year",): _("“%(field)s” must include a year."),
    ("day", "month"): _("“%(field)s” must include a day and a month."),
    ("day", "year"): _("“%(field)s” must include a day and a year."),
    ("month", "year"): _("“%(field)s” must include a month and a year."),
}
EARLIEST = datetime.date(1900, 1, 1)
LATEST = datetime.date(2199, 12, 31)


def _hint() -> str:
    return str(_("For example, %(example)s") % {"example": formats.date_example()})


date_hint = lazy(_hint, str)


class DateInput(forms.MultiWidget):
    """Three text inputs named ``<name>-day``, ``-month`` and ``-year`` (GOV.UK's names), shown in
    the order the reader's language writes dates. The first carries the field's id, so a link to
    the field (error summary, label) lands in it. ``error_parts`` is set by ``DateField.clean``."""

    template_name = "core/widgets/date_input.html"

    def __init__(self, attrs=None):
        widgets = {part: forms.TextInput(attrs={"inputmode": "numeric", "spellcheck": "false"}) for part in PARTS}
        super().__init__(widgets, attrs)
        self.widgets_names = [f"-{part}" for part in PARTS]
        self.error_parts: set[str] = set()

    def decompress(self, value):
        if isinstance(value, str):
            try:
                value = formats.parse_iso_date(value)
            except ValueError:
                return [None, None, None]
        if isinstance(value, datetime.date):
            return [str(value.day), str(value.month), str(value.year)]
        return [None, None, None]

    def id_for_label(self, id_):
        return id_

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        values = value if isinstance(value, list | tuple) else self.decompress(value)
        # govuk_widget passes an error class when the field has errors: with no part named by
        # clean() (an error added by a service, "must be in the future"), all three are marked.
        field_has_error = "error" in (attrs or {}).get("class", "")
        error_parts = self.error_parts or (set(PARTS) if field_has_error else set())
        base_id = context["widget"]["attrs"].get("id", "")
        parts = []
        for index, part in enumerate(formats.date_part_order()):
            raw = values[PARTS.index(part)] if len(values) == len(PARTS) else None
            parts.append(
                {
                    "part": part,
                    "name": f"{name}-{part}",
                    "id": base_id if index == 0 else f"{base_id}-{part}",
                    "label": PART_LABELS[part],
                    "value": "" if raw is None else raw,
                    "width": 4 if part == "year" else 2,
                    "error": part in error_parts,
                }
            )
        context["parts"] = parts
        return context


class DateField(forms.Field):
    """A calendar date typed as day, month and year; 4-digit years only; between ``min_value``
    and ``max_value`` (dates or callables returning one)."""

    widget = DateInput

    def __init__(self, *, min_value=EARLIEST, max_value=LATEST, **kwargs):
        kwargs.setdefault("help_text", date_hint())
        super().__init__(**kwargs)
        self.min_value, self.max_value = min_value, max_value

    def _fail(self, message, parts, **params):
        self.widget.error_parts = set(parts)
        raise ValidationError(message, params={"field": self.label or "", **params})

    def to_python(self, value):
        if isinstance(value, datetime.date):
            return value
        if not isinstance(value, list | tuple) or len(value) != len(PARTS):
            value = [None, None, None]
        given = {part: str(raw or "").strip() for part, raw in zip(PARTS, value, strict=True)}
        missing = tuple(part for part in PARTS if not given[part])
        if len(missing) == len(PARTS):
            return None
        if missing:
            self._fail(MISSING[missing], missing)
        wrong = [part for part in PARTS if not given[part].isascii() or not given[part].isdigit()]
        if wrong:
            self._fail(_("“%(field)s” must be a real date."), wrong)
        if len(given["year"]) != 4:
            self._fail(_("The year of “%(field)s” must have 4 digits."), ["year"])
        day, month, year = (int(given[part]) for part in PARTS)
        if not 1 <= month <= 12:
            self._fail(_("“%(field)s” must be a real date."), ["month"])
        try:
            return datetime.date(year, month, day)
        except ValueError:
            self._fail(_("“%(field)s” must be a real date."), ["day"])

    def validate(self, value):
        if value is None:
            if self.required:
                self._fail(_("Enter “%(field)s”."), PARTS)
            return
        low = self.min_value() if callable(self.min_value) else self.min_value
        high = self.max_value() if callable(self.max_value) else self.max_value
        if low and value < low:
            self._fail(_("“%(field)s” must be on or after %(date)s."), PARTS, date=formats.date_long(low))
        if high and value > high:
            self._fail(_("“%(field)s” must be on or before %(date)s."), PARTS, date=formats.date_long(high))

    def has_changed(self, initial, data):
        try:
            data = self.to_python(data)
        except ValidationError:
            return True
        return initial != data
