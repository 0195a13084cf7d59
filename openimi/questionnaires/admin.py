import json

from django.contrib import admin, messages
from django.http import HttpResponse
from django.utils.translation import gettext_lazy as _

from openimi.questionnaires.models import Question, QuestionSet
from openimi.questionnaires.services import question_set_export


class QuestionInline(admin.TabularInline):
    model = Question
    fields = ["code", "group", "position", "type", "condition_question", "condition_value"]
    extra = 0
    show_change_link = True

    def has_change_permission(self, request, obj=None):
        return False  # versions are immutable; import a new version instead


@admin.register(QuestionSet)
class QuestionSetAdmin(admin.ModelAdmin):
    """Sets are published by importing a file (``manage.py questionset_import``); a published
    version never changes, so requests keep the questions they were sent with."""

    list_display = ["code", "version", "legal_area", "is_current", "created_at"]
    list_filter = ["legal_area", "is_current"]
    readonly_fields = ["code", "version", "legal_area", "titles", "created_at"]
    fields = ["code", "version", "legal_area", "titles", "is_current", "created_at"]
    inlines = [QuestionInline]
    actions = ["export_json"]

    @admin.action(description=_("Export as JSON"))
    def export_json(self, request, queryset):
        if queryset.count() != 1:
            self.message_user(request, _("Choose exactly one question set to export."), messages.WARNING)
            return None
        qset = queryset.get()
        response = HttpResponse(
            json.dumps(question_set_export(qset), ensure_ascii=False, indent=1), content_type="application/json"
        )
        response["Content-Disposition"] = f'attachment; filename="{qset.code}-v{qset.version}.json"'
        return response
