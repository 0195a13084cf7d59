"""Data-protection pages: data-subject requests (find, show, export, rectify, contest,
complete) for local administrators, and the audit log for authorities and coordinators.
Views parse forms and call selectors and services; every rule lives in those."""

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from django.views.decorators.http import require_POST

from openimi.directory.models import Authority, AuthorityEvent
from openimi.directory.permissions import admin_authority_ids
from openimi.directory.views import _apply_errors, _page_number
from openimi.exchanges import selectors as exchange_selectors
from openimi.exchanges.services import RequestChanged
from openimi.exchanges.workflow import event_label
from openimi.lib.text import labelled
from openimi.privacy import selectors, services
from openimi.privacy.forms import AuditFilterForm, CompleteForm, ContestForm, RectifyForm, SubjectRequestForm

PAGE_SIZE = 50

ACTION_LABELS = {
    "personal_data.view": pgettext_lazy("audit", "Personal data shown"),
    "personal_data.view_blocked": pgettext_lazy("audit", "Blocked personal data shown for a data-subject request"),
    "personal_data.download": pgettext_lazy("audit", "Document downloaded"),
    "attachment_refused_infected": pgettext_lazy("audit", "Document refused: a virus was found"),
    "personal_data.export": pgettext_lazy("audit", "Personal data exported for a data-subject request"),
    "personal_data.rectified": pgettext_lazy("audit", "Personal data rectified"),
    "personal_data.contested": pgettext_lazy("audit", "Personal data marked as contested"),
    "personal_data.contest_lifted": pgettext_lazy("audit", "Contest mark lifted"),
    "subject_request.created": pgettext_lazy("audit", "Data-subject request recorded"),
    "subject_request.completed": pgettext_lazy("audit", "Data-subject request completed"),
    "retention.applied": pgettext_lazy("audit", "Retention applied"),
    "security_key.registered": pgettext_lazy("audit", "Security key added"),
    "security_key.removed": pgettext_lazy("audit", "Security key removed"),
}


def action_label(action: str) -> str:
    if action in ACTION_LABELS:
        return str(ACTION_LABELS[action])
    if action.startswith("authority."):
        name = action.removeprefix("authority.")
        return str(AuthorityEvent.Action(name).label) if name in AuthorityEvent.Action.values else action
    if action.startswith("request."):
        return event_label(action.removeprefix("request."))
    return action


REQUEST_TYPE = "exchanges.InformationRequest"


def _request_ref(entry, requests: dict) -> dict | None:
    """The request an entry is about: its reference (a draft has none yet) and its page's
    address if the reader may open it."""
    if entry.object_type != REQUEST_TYPE or not entry.object_id.isdecimal():
        return None
    pk = int(entry.object_id)
    reference, visible = requests.get(pk, (None, False))
    return {"pk": pk, "reference": reference, "url": reverse("exchanges:detail", args=[pk]) if visible else ""}


def _admin_authorities(user) -> list[tuple[int, str]]:
    return list(selectors.admin_authorities(user).values_list("pk", "official_name"))


def _tabs(request) -> list[dict]:
    tabs = []
    if admin_authority_ids(request.user):
        tabs.append({"url": reverse("privacy:subject_requests"), "label": gettext_lazy("Data-subject requests")})
    if selectors.audit_authorities(request.user).exists():
        tabs.append({"url": reverse("privacy:audit"), "label": gettext_lazy("Audit log")})
    for tab in tabs:
        tab["current"] = request.path.startswith(tab["url"])
    return tabs


def _refused(request, exc) -> None:
    """Show why a service refused, as an error message on the next page."""
    messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))


@login_required
def subject_request_list_view(request):
    if not admin_authority_ids(request.user):
        raise Http404
    subject_requests = selectors.subject_requests_for(request.user)
    paginator = Paginator(subject_requests, PAGE_SIZE)
    return render(
        request,
        "privacy/subject_requests.html",
        {"page": paginator.get_page(_page_number(request)), "tabs": _tabs(request), "querystring": ""},
    )


@login_required
def subject_request_create_view(request):
    authorities = _admin_authorities(request.user)
    if not authorities:
        raise Http404
    form = SubjectRequestForm(
        request.POST or None, authorities=authorities, initial={"received_on": timezone.localdate()}
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        authority = selectors.admin_authorities(request.user).get(pk=int(data["authority"]))
        try:
            subject_request = services.subject_request_create(
                actor=request.user,
                authority=authority,
                kind=data["kind"],
                person_name=data["person_name"],
                person_identifiers=data["person_identifiers"],
                received_on=data["received_on"],
                note=data["note"],
            )
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            return redirect("privacy:subject_request", subject_request.pk)
    return render(request, "privacy/subject_request_form.html", {"form": form, "tabs": _tabs(request)})


@login_required
def subject_request_detail_view(request, pk):
    subject_request = selectors.subject_request_get(request.user, pk)
    found = selectors.holdings(subject_request)
    services.subject_data_show(actor=request.user, subject_request=subject_request, holdings=found)
    is_open = subject_request.status == subject_request.Status.OPEN
    rows = [
        {
            "holding": h,
            "rectify": RectifyForm(
                prefix=f"r{h.request.pk}",
                initial={
                    "version": h.request.version,
                    **{f: getattr(h.request, f) for f in services.RECTIFIABLE},
                },
            )
            if is_open
            else None,
            "contest": ContestForm(prefix=f"c{h.request.pk}") if is_open else None,
            "marks": [m for m in h.request.contest_marks.all() if m.lifted_at is None],
        }
        for h in found
    ]
    return render(
        request,
        "privacy/subject_request.html",
        {
            "sr": subject_request,
            "rows": rows,
            "complete_form": CompleteForm() if is_open else None,
            "tabs": _tabs(request),
        },
    )


@login_required
@require_POST
def rectify_view(request, pk, request_pk):
    subject_request = selectors.subject_request_get(request.user, pk)
    form = RectifyForm(request.POST, prefix=f"r{int(request_pk)}")
    if not form.is_valid():
        for name, errors in form.errors.items():
            label = form.fields[name].label if name in form.fields else ""
            messages.error(request, labelled(label, " ".join(errors)) if label else " ".join(errors))
        return redirect("privacy:subject_request", subject_request.pk)
    data = dict(form.cleaned_data)
    version = data.pop("version")
    try:
        services.subject_data_rectify(
            actor=request.user, subject_request=subject_request, request_pk=request_pk, changes=data, version=version
        )
    except (ValidationError, PermissionDenied, RequestChanged) as exc:
        _refused(request, exc)
    else:
        messages.success(request, _("The personal data has been rectified. The other authority has been told."))
    return redirect("privacy:subject_request", subject_request.pk)


@login_required
@require_POST
def contest_view(request, pk, request_pk):
    subject_request = selectors.subject_request_get(request.user, pk)
    form = ContestForm(request.POST, prefix=f"c{int(request_pk)}")
    if not form.is_valid():
        messages.error(request, _("Say what the person contests."))
        return redirect("privacy:subject_request", subject_request.pk)
    try:
        services.subject_data_contest(
            actor=request.user,
            subject_request=subject_request,
            request_pk=request_pk,
            reason=form.cleaned_data["reason"],
        )
    except (ValidationError, PermissionDenied) as exc:
        _refused(request, exc)
    else:
        messages.success(request, _("The data is marked as contested. Both authorities see the mark."))
    return redirect("privacy:subject_request", subject_request.pk)


@login_required
@require_POST
def contest_lift_view(request, pk):
    mark = selectors.contest_mark_get(request.user, pk)
    try:
        services.contest_lift(actor=request.user, mark=mark)
    except (ValidationError, PermissionDenied) as exc:
        _refused(request, exc)
    else:
        messages.success(request, _("The contest mark has been lifted."))
    if mark.subject_request_id:
        return redirect("privacy:subject_request", mark.subject_request_id)
    return redirect("exchanges:detail", mark.request_id)


@login_required
@require_POST
def complete_view(request, pk):
    subject_request = selectors.subject_request_get(request.user, pk)
    form = CompleteForm(request.POST)
    if form.is_valid():
        try:
            services.subject_request_complete(
                actor=request.user, subject_request=subject_request, outcome=form.cleaned_data["outcome"]
            )
        except (ValidationError, PermissionDenied) as exc:
            _refused(request, exc)
        else:
            messages.success(request, _("The data-subject request is completed."))
    else:
        messages.error(request, _("Say how the request was answered."))
    return redirect("privacy:subject_request", subject_request.pk)


@login_required
def export_json_view(request, pk):
    subject_request = selectors.subject_request_get(request.user, pk)
    data = services.subject_data_export(actor=request.user, subject_request=subject_request)
    response = HttpResponse(
        json.dumps(data, ensure_ascii=False, indent=2), content_type="application/json; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="data-subject-request-{subject_request.pk}.json"'
    response["Cache-Control"] = "no-store"
    return response


@login_required
def export_print_view(request, pk):
    subject_request = selectors.subject_request_get(request.user, pk)
    data = services.subject_data_export(actor=request.user, subject_request=subject_request)
    response = render(
        request,
        "privacy/subject_request_print.html",
        {"sr": subject_request, "data": data, "generated_at": timezone.now()},
    )
    response["Cache-Control"] = "no-store"
    return response


@login_required
def audit_view(request):
    authorities = selectors.audit_authorities(request.user)
    # One more than a list shows: then the form asks for words of the name instead.
    listed = AuditFilterForm.AUTHORITY_CHOICES + 1
    choices = list(authorities.order_by("official_name").values_list("pk", "official_name")[:listed])
    if not choices:
        raise Http404
    form = AuditFilterForm(request.GET or None, authorities=choices)
    data = form.cleaned_data if form.is_valid() else {}
    filters = selectors.AuditFilters(**{k: v for k, v in data.items() if v not in (None, "")})
    paginator = Paginator(selectors.audit_entries(request.user, filters), PAGE_SIZE)
    page = paginator.get_page(_page_number(request))
    names = dict(Authority.objects.filter(pk__in={e.authority_id for e in page}).values_list("pk", "official_name"))
    requests = exchange_selectors.references_for(
        request.user, {int(e.object_id) for e in page if e.object_type == REQUEST_TYPE and e.object_id.isdecimal()}
    )
    entries = [
        {
            "entry": e,
            "authority": names.get(e.authority_id, ""),
            "label": action_label(e.action),
            "request": _request_ref(e, requests),
        }
        for e in page
    ]
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "privacy/audit.html",
        {"form": form, "page": page, "entries": entries, "querystring": query.urlencode(), "tabs": _tabs(request)},
    )
