"""Dates, times and numbers in the reader's language, from CLDR (through Babel).

Django's own formats are missing for Maltese and follow US usage for English ("Jan. 8, 2027",
"12/02/2026"); CLDR has every interface language, so every page, mail and export formats through
these functions (the ``formats`` template library wraps them). English is British English: the
European institutions' usage, and day before month like every other interface language. Times
are shown in the active time zone (``settings.TIME_ZONE`` unless a middleware activates another);
the API keeps ISO 8601 and does not use this module.
"""

import datetime
import re
from decimal import Decimal

from babel import Locale, UnknownLocaleError
from babel import dates as babel_dates
from babel import numbers as babel_numbers
from django.utils import timezone, translation

# Django language code -> CLDR locale, where they differ.
CLDR_LOCALES = {"en": "en_GB", "nb": "nb_NO"}

# Sample shown in a date input's hint: the day is above 12, so the order of the parts is plain.
EXAMPLE_DAY = (27, 3)


def locale_for(language: str | None = None) -> Locale:
    language = (language or translation.get_language() or "en").replace("-", "_")
    code = CLDR_LOCALES.get(language, language)
    try:
        return Locale.parse(code)
    except (UnknownLocaleError, ValueError):
        return Locale.parse(CLDR_LOCALES["en"])


def _local(value: datetime.datetime) -> datetime.datetime:
    return timezone.localtime(value) if timezone.is_aware(value) else value


def _as_date(value: datetime.date) -> datetime.date:
    return _local(value).date() if isinstance(value, datetime.datetime) else value


def date_long(value: datetime.date | None, language: str | None = None) -> str:
    """ "2 December 2026", "2 décembre 2026", "2. Dezember 2026"."""
    if not value:
        return ""
    return babel_dates.format_date(_as_date(value), "long", locale=locale_for(language))


def date_short(value: datetime.date | None, language: str | None = None) -> str:
    """ "2 Dec 2026", "2 déc. 2026", "02.12.2026": never day and month as two bare numbers in an
    order a reader could take for the other (CLDR's medium form, for tables and lists)."""
    if not value:
        return ""
    return babel_dates.format_date(_as_date(value), "medium", locale=locale_for(language))


def time_short(value: datetime.datetime | None, language: str | None = None) -> str:
    if not value:
        return ""
    return babel_dates.format_time(_local(value), "short", locale=locale_for(language))


def _datetime(value: datetime.datetime | None, date_length: str, language: str | None) -> str:
    if not value:
        return ""
    locale = locale_for(language)
    value = _local(value)
    pattern = str(locale.datetime_formats.get(date_length) or "{1} {0}")
    pattern = re.sub(r"'([^']*)'", r"\1", pattern)  # CLDR quotes literal words ("'at'")
    return pattern.format(
        babel_dates.format_time(value, "short", locale=locale),
        babel_dates.format_date(value.date(), date_length, locale=locale),
    )


def datetime_short(value: datetime.datetime | None, language: str | None = None) -> str:
    """ "2 Dec 2026, 17:32" in the active time zone."""
    return _datetime(value, "medium", language)


def datetime_long(value: datetime.datetime | None, language: str | None = None) -> str:
    """ "2 December 2026 at 17:32" in the active time zone."""
    return _datetime(value, "long", language)


def number(value: int | float | Decimal | str | None, language: str | None = None) -> str:
    """ "1,234,567.5", "1 234 567,5", "1.234.567,5"; trailing zeros of a decimal dropped."""
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        text = value
        try:
            value = Decimal(text)
        except ArithmeticError:
            return text
    if isinstance(value, Decimal) and value == value.to_integral_value():
        value = value.quantize(Decimal(1))
    elif isinstance(value, Decimal):
        value = value.normalize()
    return str(babel_numbers.format_decimal(value, locale=locale_for(language), decimal_quantization=False))


def date_part_order(language: str | None = None) -> list[str]:
    """ "day", "month", "year" in the order the language writes a date (CLDR short pattern):
    day first in most languages, year first in Hungarian and Lithuanian."""
    pattern = locale_for(language).date_formats["short"].pattern
    positions = {part: pattern.find(letter) for part, letter in (("day", "d"), ("month", "M"), ("year", "y"))}
    if min(positions.values()) < 0:
        return ["day", "month", "year"]
    return sorted(positions, key=positions.__getitem__)


def date_example(language: str | None = None) -> str:
    """The hint's sample date as the three numbers one types, in the language's order."""
    day, month = EXAMPLE_DAY
    parts = {"day": str(day), "month": str(month), "year": str(timezone.localdate().year)}
    return " ".join(parts[p] for p in date_part_order(language))


ISO_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})")


def parse_iso_date(value: object) -> datetime.date:
    """A date written exactly YYYY-MM-DD (what the API and stored answers carry), else ValueError:
    ``date.fromisoformat`` also takes "20261202" and week dates, which nobody means."""
    if isinstance(value, datetime.date) and not isinstance(value, datetime.datetime):
        return value
    match = ISO_DATE.fullmatch(str(value))
    if not match:
        raise ValueError(value)
    return datetime.date(*(int(g) for g in match.groups()))
