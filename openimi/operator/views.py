"""The operator's pages: reference data, question sets and counts of the network. The operator
runs the installation; nothing here shows what authorities exchange or who their officials are."""

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from openimi.core.models import Country, Language, LegalArea, Term, Vocabulary
from openimi.directory.permissions import Perm, require
from openimi.operator import forms, selectors, services
from openimi.questionnaires.models import QuestionSet
from openimi.questionnaires.services import question_set_export, question_set_import

MAX_IMPORT_BYTES = 2 * 1024 * 1024


def operator_required(view):
    """Signed in and operator, else 403; reference data is public, so the objects themselves
    need no per-user selector once this passed."""

    @login_required
    def wrapped(request, *args, **kwargs):
        require(request.user, Perm.REFERENCE_MANAGE)
        return view(request, *args, **kwargs)

    wrapped.__name__ = view.__name__
    wrapped.__doc__ = view.__doc__
    return wrapped


def _apply_errors(form, exc: ValidationError) -> None:
    for name, errors in exc.message_dict.items():
        form.add_error(name if name in form.fields else None, errors)


def _table(request, *, title: str, headers: list, rows: list, intro: str = ""):
    return render(request, "operator/table.html", {"title": title, "headers": headers, "rows": rows, "intro": intro})


def _name(model, field: str | None = None) -> str:
    """A model's (or one of its fields') own translated name, as a heading."""
    meta = model._meta
    return capfirst(meta.get_field(field).verbose_name if field else meta.verbose_name_plural)


def _yes(value: bool) -> str:
    return _("Yes") if value else _("No")


def _edit(request, *, title: str, form, back: str, save):
    """An edit form whose valid POST calls ``save(cleaned_data)`` (a service) and goes back."""
    if request.method == "POST" and form.is_valid():
        try:
            save(form.cleaned_data)
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect(back)
    return render(request, "operator/form.html", {"title": title, "form": form, "back": back})


@operator_required
def countries_view(request):
    countries = Country.objects.select_related("default_language")
    rows = [
        {
            "cells": [c.code, c.name, c.default_language.name, _yes(c.is_active)],
            "url": reverse("operator:country", args=[c.code]),
            "name": c.name,
        }
        for c in countries
    ]
    headers = [_name(Country, "code"), _("Country"), _name(Country, "default_language"), _("Active")]
    return _table(request, title=_name(Country), headers=headers, rows=rows)


@operator_required
def country_view(request, code):
    country = get_object_or_404(Country, code=code)
    initial = {"is_active": country.is_active, "default_language": country.default_language_id}
    form = forms.CountryForm(request.POST if request.method == "POST" else None, initial=initial, country=country)
    return _edit(
        request,
        title=country.name,
        form=form,
        back=reverse("operator:countries"),
        save=lambda c: services.country_update(actor=request.user, country=country, **c),
    )


@operator_required
def languages_view(request):
    rows = [
        {
            "cells": [lang.code, lang.name, _yes(lang.is_interface_language)],
            "url": reverse("operator:language", args=[lang.code]),
            "name": lang.name,
        }
        for lang in Language.objects.all()
    ]
    headers = [_name(Language, "code"), _("Language"), _name(Language, "is_interface_language")]
    return _table(request, title=_name(Language), headers=headers, rows=rows)


@operator_required
def language_view(request, code):
    language = get_object_or_404(Language, code=code)
    form = forms.LanguageForm(
        request.POST if request.method == "POST" else None,
        initial={"is_interface_language": language.is_interface_language},
    )
    return _edit(
        request,
        title=language.name,
        form=form,
        back=reverse("operator:languages"),
        save=lambda c: services.language_update(actor=request.user, language=language, **c),
    )


@operator_required
def legal_areas_view(request):
    rows = [
        {
            "cells": [
                area.name,
                _yes(area.is_active),
                area.acceptance_days,
                area.escalation_days,
                area.retention_block_months,
            ],
            "url": reverse("operator:legal_area", args=[area.code]),
            "name": area.name,
        }
        for area in LegalArea.objects.all()
    ]
    headers = [_("Legal area"), _("Active")] + [
        _name(LegalArea, f) for f in ("acceptance_days", "escalation_days", "retention_block_months")
    ]
    return _table(request, title=_("Legal areas"), headers=headers, rows=rows)


@operator_required
def legal_area_view(request, code):
    area = get_object_or_404(LegalArea, code=code)
    fields = ["is_active", "acceptance_days", "escalation_days", "retention_block_months"]
    form = forms.LegalAreaForm(
        request.POST if request.method == "POST" else None, initial={name: getattr(area, name) for name in fields}
    )
    return _edit(
        request,
        title=area.name,
        form=form,
        back=reverse("operator:legal_areas"),
        save=lambda c: services.legal_area_update(actor=request.user, legal_area=area, **c),
    )


@operator_required
def vocabularies_view(request):
    vocabularies = Vocabulary.objects.select_related("legal_area").annotate(terms_count=Count("terms"))
    rows = [
        {
            "cells": [v.name, v.legal_area.name, v.get_kind_display(), v.terms_count],
            "url": reverse("operator:vocabulary", args=[v.code]),
            "name": v.name,
        }
        for v in vocabularies
    ]
    headers = [capfirst(Vocabulary._meta.verbose_name), _("Legal area"), _name(Vocabulary, "kind"), _name(Term)]
    return _table(request, title=_name(Vocabulary), headers=headers, rows=rows)


@operator_required
def vocabulary_view(request, code):
    vocabulary = get_object_or_404(Vocabulary, code=code)
    form = forms.TermForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            term = services.term_add(
                actor=request.user, vocabulary=vocabulary, code=form.cleaned_data["code"], labels=form.labels()
            )
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("Added %(term)s.") % {"term": term.label})
            return redirect("operator:vocabulary", code=vocabulary.code)
    terms = vocabulary.terms.all()
    return render(request, "operator/vocabulary.html", {"vocabulary": vocabulary, "terms": terms, "form": form})


@operator_required
def question_sets_view(request):
    """Every version of every set; a new version is published by importing a file, with every
    problem listed if it is refused (a published version never changes)."""
    form = forms.QuestionSetImportForm(request.POST if request.method == "POST" else None, request.FILES or None)
    problems: list[str] = []
    if request.method == "POST" and form.is_valid():
        try:
            document = json.loads(form.cleaned_data["file"].read(MAX_IMPORT_BYTES).decode("utf-8"))
            if not isinstance(document, dict):
                raise ValueError
            qset = question_set_import(actor=request.user, document=document)
        except (UnicodeDecodeError, ValueError):
            problems = [_("The file is not valid JSON.")]
        except ValidationError as exc:
            problems = exc.message_dict.get("file", exc.messages) if hasattr(exc, "error_dict") else exc.messages
        except PermissionDenied as exc:
            problems = [str(exc)]
        else:
            messages.success(
                request, _("Published %(code)s version %(version)d.") % {"code": qset.code, "version": qset.version}
            )
            return redirect("operator:question_sets")
        for problem in problems:
            form.add_error("file", problem)
    question_sets = QuestionSet.objects.select_related("legal_area")
    return render(request, "operator/question_sets.html", {"question_sets": question_sets, "form": form})


@require_POST
@operator_required
def question_set_export_view(request, pk):
    qset = get_object_or_404(QuestionSet, pk=pk)
    response = HttpResponse(
        json.dumps(question_set_export(qset), ensure_ascii=False, indent=1), content_type="application/json"
    )
    response["Content-Disposition"] = f'attachment; filename="{qset.code}-v{qset.version}.json"'
    return response


@login_required
def statistics_view(request):
    return render(request, "operator/statistics.html", selectors.network_statistics(actor=request.user))
