"""``{% load formats %}``: every date, time and number on pages, in mails and exports, in the
reader's language (CLDR) and the active time zone. See openimi.lib.formats."""

from django import template

from openimi.lib import formats

register = template.Library()

register.filter("date_long", formats.date_long)
register.filter("date_short", formats.date_short)
register.filter("datetime_long", formats.datetime_long)
register.filter("datetime_short", formats.datetime_short)
register.filter("time_short", formats.time_short)
register.filter("number", formats.number)
