import json

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext_lazy as _

from openimi.questionnaires.models import Question, QuestionSet
from openimi.questionnaires.services import question_set_export, question_set_import


class ImportForm(forms.Form):
    file = forms.FileField(label=_("Question set (JSON)"))


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
    change_list_template = "admin/questionnaires/questionset/change_list.html"

    def get_urls(self):
        return [
            path("import/", self.admin_site.admin_view(self.import_view), name="questionset_import"),
            *super().get_urls(),
        ]

    def import_view(self, request):
        """Publish a new version from a file, with every problem listed if it is refused."""
        form = ImportForm(request.POST or None, request.FILES or None)
        problems = []
        if request.method == "POST" and form.is_valid():
            try:
                document = json.loads(form.cleaned_data["file"].read(2 * 1024 * 1024).decode("utf-8"))
                qset = question_set_import(actor=request.user, document=document)
            except (UnicodeDecodeError, json.JSONDecodeError):
                problems = [_("The file is not valid JSON.")]
            except ValidationError as exc:
                problems = exc.message_dict.get("file", exc.messages)
            except PermissionDenied as exc:
                problems = [str(exc)]
            else:
                self.message_user(
                    request, _("Published %(code)s version %(version)d.") % {"code": qset.code, "version": qset.version}
                )
                return redirect("admin:questionnaires_questionset_changelist")
        context = {
            **self.admin_site.each_context(request),
            "form": form,
            "problems": problems,
            "title": _("Import a question set"),
            "opts": self.model._meta,
        }
        return render(request, "admin/questionnaires/questionset/import.html", context)

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
