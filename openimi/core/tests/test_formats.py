"""Dates, times and numbers in each language's CLDR formats (openimi.lib.formats), in the
configured time zone; and the formats Django applies itself (openimi/core/formats)."""

import datetime
import re

import pytest
from django.template import Context, Template
from django.utils import formats as django_formats
from django.utils import translation

from openimi.lib import formats

# 16:32 UTC is 17:32 in Brussels (settings.TIME_ZONE, winter time).
MOMENT = datetime.datetime(2026, 12, 2, 16, 32, tzinfo=datetime.UTC)
NNBSP, NBSP = "\u202f", "\xa0"

EXPECTED = {
    # language: (date_long, date_short, datetime_short, number 1234567.5)
    "en": ("2 December 2026", "2 Dec 2026", "2 Dec 2026, 17:32", "1,234,567.5"),
    "fr": ("2 décembre 2026", "2 déc. 2026", "2 déc. 2026, 17:32", f"1{NNBSP}234{NNBSP}567,5"),
    "de": ("2. Dezember 2026", "02.12.2026", "02.12.2026, 17:32", "1.234.567,5"),
    "mt": ("2 ta’ Diċembru 2026", "02 Diċ 2026", "02 Diċ 2026 17:32", "1,234,567.5"),
    "ga": ("2 Nollaig 2026", "2 Noll 2026", "2 Noll 2026 17:32", "1,234,567.5"),
    "el": ("2 Δεκεμβρίου 2026", "2 Δεκ 2026", f"2 Δεκ 2026, 5:32{NNBSP}μ.μ.", "1.234.567,5"),
    "pl": ("2 grudnia 2026", "2 gru 2026", "2 gru 2026, 17:32", f"1{NBSP}234{NBSP}567,5"),
}


@pytest.mark.parametrize("language", EXPECTED)
def test_dates_times_and_numbers_follow_the_language(language):
    long, short, moment, number = EXPECTED[language]
    with translation.override(language):
        assert formats.date_long(MOMENT.date()) == long
        assert formats.date_short(MOMENT.date()) == short
        assert formats.datetime_short(MOMENT) == moment
        assert formats.number(1234567.5) == number


@pytest.mark.parametrize("language", EXPECTED)
def test_the_template_filters_render_the_same(language):
    template = Template("{% load formats %}{{ d|date_long }}|{{ d|date_short }}|{{ m|datetime_short }}|{{ n|number }}")
    with translation.override(language):
        rendered = template.render(Context({"d": MOMENT.date(), "m": MOMENT, "n": 1234567.5}))
    assert rendered.split("|") == list(EXPECTED[language])


def test_a_moment_is_shown_in_the_configured_time_zone_and_its_local_date():
    late = datetime.datetime(2026, 12, 2, 23, 30, tzinfo=datetime.UTC)  # already 3 December in Brussels
    with translation.override("en"):
        assert formats.time_short(late) == "00:30"
        assert formats.date_long(late) == "3 December 2026"
        assert formats.datetime_long(MOMENT) == "2 December 2026, 17:32"


@pytest.mark.parametrize("language", ["en", "fr", "de", "mt", "ga", "el", "pl"])
def test_no_language_shows_american_dates(language):
    with translation.override(language):
        shown = " ".join([formats.date_long(MOMENT), formats.date_short(MOMENT), formats.datetime_short(MOMENT)])
    assert not re.search(r"\b12/0?2/2026\b|Dec\.|a\.m\.|p\.m\.", shown)


def test_numbers_keep_their_decimals_and_drop_stored_trailing_zeros():
    with translation.override("de"):
        assert formats.number("12.5000") == "12,5"
        assert formats.number("3") == "3"
        assert formats.number(0.25) == "0,25"
        assert formats.number("not a number") == "not a number"
        assert formats.number(None) == ""


def test_empty_values_show_nothing():
    assert formats.date_long(None) == formats.datetime_short(None) == formats.time_short(None) == ""


def test_date_parts_follow_the_order_of_the_language():
    with translation.override("hu"):
        assert formats.date_part_order() == ["year", "month", "day"]
    for language in ("en", "fr", "mt", "ga"):
        with translation.override(language):
            assert formats.date_part_order() == ["day", "month", "year"]


def test_an_unknown_language_falls_back_to_british_english():
    assert formats.date_long(MOMENT.date(), language="xx") == "2 December 2026"


@pytest.mark.parametrize(
    ("language", "long", "short"),
    [
        ("en", "2 December 2026", "2 Dec 2026"),
        ("mt", "02/12/2026", "02/12/2026"),
        ("ga", "2 Nollaig 2026", "2 Noll 2026"),
    ],
)
def test_what_django_formats_itself_is_not_american(language, long, short):
    with translation.override(language):
        assert django_formats.date_format(MOMENT.date(), "DATE_FORMAT") == long
        assert django_formats.date_format(MOMENT.date(), "SHORT_DATE_FORMAT") == short


@pytest.mark.parametrize("value", ["2026-12-02"])
def test_iso_dates_are_read(value):
    assert formats.parse_iso_date(value) == datetime.date(2026, 12, 2)


@pytest.mark.parametrize("value", ["20261202", "2026-W49-3", "02/12/2026", "2026-12-2", "2026-02-31", "", None])
def test_anything_but_a_real_yyyy_mm_dd_is_refused(value):
    with pytest.raises(ValueError):
        formats.parse_iso_date(value)
