"""The three-field date input (openimi.core.forms.DateField): what it accepts, what it refuses
and how it says so, and what it renders."""

import datetime

import pytest
from django import forms
from django.template.loader import render_to_string
from django.utils import translation

from openimi.core.forms import DateField


class SomeForm(forms.Form):
    when = DateField(label="Reply by")
    maybe = DateField(label="Date of birth", required=False)


def bound(day="", month="", year="", **extra):
    return SomeForm({"when-day": day, "when-month": month, "when-year": year, **extra})


def errors(form) -> list[str]:
    form.is_valid()
    return form.errors.get("when", [])


def test_a_typed_date_comes_back_as_a_date():
    form = bound("2", "12", "2026")
    assert form.is_valid(), form.errors
    assert form.cleaned_data == {"when": datetime.date(2026, 12, 2), "maybe": None}


def test_leading_zeros_and_spaces_are_fine():
    form = bound(" 02", "03 ", "2027")
    assert form.is_valid(), form.errors
    assert form.cleaned_data["when"] == datetime.date(2027, 3, 2)


def test_an_initial_date_is_shown_in_its_three_fields_and_read_back():
    html = SomeForm(initial={"when": datetime.date(2026, 12, 2), "maybe": "1970-05-01"}).as_div()
    for name, value in (("when-day", "2"), ("when-month", "12"), ("when-year", "2026"), ("maybe-year", "1970")):
        assert f'name="{name}" type="text" inputmode="numeric" spellcheck="false" value="{value}"' in html
    again = SomeForm({"when-day": "2", "when-month": "12", "when-year": "2026"})
    assert again.is_valid() and again.cleaned_data["when"] == datetime.date(2026, 12, 2)


@pytest.mark.parametrize(("day", "month", "year"), [("31", "2", "2026"), ("29", "2", "2027"), ("31", "4", "2026")])
def test_an_impossible_day_is_refused(day, month, year):
    form = bound(day, month, year)
    assert errors(form) == ["“Reply by” must be a real date."]
    assert form.fields["when"].widget.error_parts == {"day"}


def test_an_impossible_month_is_refused():
    form = bound("3", "13", "2026")
    assert errors(form) == ["“Reply by” must be a real date."]
    assert form.fields["when"].widget.error_parts == {"month"}


@pytest.mark.parametrize(
    ("parts", "message", "marked"),
    [
        (("", "12", "2026"), "“Reply by” must include a day.", {"day"}),
        (("2", "", "2026"), "“Reply by” must include a month.", {"month"}),
        (("2", "12", ""), "“Reply by” must include a year.", {"year"}),
        (("", "", "2026"), "“Reply by” must include a day and a month.", {"day", "month"}),
        (("2", "", ""), "“Reply by” must include a month and a year.", {"month", "year"}),
        (("", "12", ""), "“Reply by” must include a day and a year.", {"day", "year"}),
    ],
)
def test_a_partial_date_names_what_is_missing(parts, message, marked):
    form = bound(*parts)
    assert errors(form) == [message]
    assert form.fields["when"].widget.error_parts == marked


@pytest.mark.parametrize("year", ["26", "026", "20266"])
def test_a_year_without_four_digits_is_refused(year):
    form = bound("2", "12", year)
    assert errors(form) == ["The year of “Reply by” must have 4 digits."]
    assert form.fields["when"].widget.error_parts == {"year"}


@pytest.mark.parametrize(("day", "month", "year"), [("2a", "12", "2026"), ("2", "XII", "2026"), ("٢", "12", "2026")])
def test_letters_and_other_digits_are_refused(day, month, year):
    assert errors(bound(day, month, year)) == ["“Reply by” must be a real date."]


def test_dates_out_of_range_are_refused():
    assert errors(bound("1", "1", "1899")) == ["“Reply by” must be on or after 1 January 1900."]
    assert errors(bound("1", "1", "2200")) == ["“Reply by” must be on or before 31 December 2199."]


def test_a_required_date_left_empty_is_named():
    assert errors(bound()) == ["Enter “Reply by”."]


def test_an_optional_date_may_stay_empty_but_not_half_filled():
    assert bound("2", "12", "2026").is_valid()
    form = bound("2", "12", "2026", **{"maybe-day": "5"})
    assert not form.is_valid()
    assert form.errors["maybe"] == ["“Date of birth” must include a month and a year."]


def test_the_callable_bounds_are_read_when_checking():
    class Future(forms.Form):
        when = DateField(label="Reply by", min_value=lambda: datetime.date(2026, 12, 7))

    form = Future({"when-day": "6", "when-month": "12", "when-year": "2026"})
    assert not form.is_valid()
    assert form.errors["when"] == ["“Reply by” must be on or after 7 December 2026."]


def test_a_refused_date_is_shown_again_as_typed_with_the_wrong_part_marked():
    form = bound("31", "2", "2026")
    form.is_valid()
    html = str(form["when"])
    assert 'value="31"' in html and 'value="2"' in html and 'value="2026"' in html
    assert html.count("govuk-input--error") == 1
    day = html.split('name="when-day"')[0].rsplit("<input", 1)[1]
    assert "govuk-input--error" in day


def test_the_inputs_are_labelled_and_the_first_carries_the_field_id():
    html = str(SomeForm()["when"])
    assert '<label class="govuk-label govuk-date-input__label" for="id_when">Day</label>' in html
    assert 'for="id_when-month">Month</label>' in html and 'for="id_when-year">Year</label>' in html
    assert 'type="date"' not in html


def test_the_parts_follow_the_reader_s_language():
    with translation.override("hu"):
        html = str(SomeForm()["when"])
    assert html.index('name="when-year"') < html.index('name="when-month"') < html.index('name="when-day"')
    assert 'id="id_when" name="when-year"' in html
    with translation.override("fr"):
        html = str(SomeForm()["when"])
    assert html.index('name="when-day"') < html.index('name="when-month"') < html.index('name="when-year"')


def test_the_hint_gives_an_example_in_the_reader_s_order():
    field = SomeForm()["when"]
    with translation.override("en"):
        assert str(field.help_text).startswith("For example, 27 3 ")
    with translation.override("lt"):
        assert str(field.help_text).endswith(" 3 27")


def test_an_error_about_the_whole_date_marks_all_three_parts():
    form = bound("2", "12", "2026")
    assert form.is_valid()
    form.add_error("when", "The reply date must be in the future.")
    html = render_to_string("web/_field.html", {"field": form["when"]})
    assert html.count("govuk-input--error") == 3
    assert 'aria-describedby="id_when-hint id_when-error"' in html
    assert 'role="group"' in html and "<legend" in html
