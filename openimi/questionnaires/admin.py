from django.contrib import admin

from openimi.questionnaires.models import Question, QuestionSet
from openimi.web.admin_site import ReadOnly, ReadOnlyModelAdmin


class QuestionInline(ReadOnly, admin.TabularInline):
    model = Question
    fields = ["code", "group", "position", "type", "condition_question", "condition_value"]
    extra = 0


@admin.register(QuestionSet)
class QuestionSetAdmin(ReadOnlyModelAdmin):
    """Sets are published by importing a file on the operator's pages (or ``manage.py
    questionset_import``); a published version never changes, so requests keep the questions
    they were sent with."""

    list_display = ["code", "version", "legal_area", "is_current", "created_at"]
    list_filter = ["legal_area", "is_current"]
    fields = ["code", "version", "legal_area", "titles", "is_current", "created_at"]
    inlines = [QuestionInline]
