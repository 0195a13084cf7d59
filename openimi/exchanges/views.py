"""Request pages: inbox and outbox, compose, and one page per request with its actions.
Views parse forms and call selectors and services; every rule lives in those."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from openimi.core.models import LegalArea
from openimi.directory import selectors as directory_selectors
from openimi.directory import services as directory_services
from openimi.directory.forms import DelegatedCoordinatorForm
from openimi.directory.models import Authority, AuthorityStatus, CoordinatorFunction
from openimi.directory.permissions import Perm, roles_of, scopes_of
from openimi.directory.search import SearchFilters, search
from openimi.directory.views import _apply_errors, _page_number
from openimi.exchanges import permissions, selectors, services
from openimi.exchanges.forms import ActionForm, AnswerForm, BoxForm, ComposeForm, UploadForm
from openimi.exchanges.models import State
from openimi.exchanges.visibility import SUBJECT_FIELDS, visibility_for
from openimi.exchanges.workflow import ACTIONS, event_label
from openimi.lib.text import labelled
from openimi.questionnaires.models import QuestionSet

PAGE_SIZE = 25


def _areas_choices():
    return [(a.code, a.name) for a in LegalArea.objects.filter(is_active=True)]


@login_required
def box_view(request, box="inbox"):
    form = BoxForm(request.GET or None, areas=_areas_choices())
    data = form.cleaned_data if form.is_valid() else {}
    filters = selectors.BoxFilters(box=box, **{k: v for k, v in data.items() if v not in (None, "")})
    paginator = Paginator(selectors.with_new_marker(selectors.box(request.user, filters), request.user), PAGE_SIZE)
    page = paginator.get_page(_page_number(request))
    query = request.GET.copy()
    query.pop("page", None)
    counts = selectors.state_counts(request.user, filters)
    return render(
        request,
        "exchanges/box.html",
        {
            "box": box,
            "form": form,
            "page": page,
            "querystring": query.urlencode(),
            "counts": [(value, label, counts[value]) for value, label in State.choices if counts[value]],
            "can_compose": _requesters(request.user) != [],
            # Which of the user's authorities a row concerns: only worth a column when the
            # user belongs to more than one (otherwise it is the same name on every row).
            "several_authorities": len(roles_of(request.user)) > 1,
        },
    )


def _requesters(user) -> list[tuple[int, str]]:
    ids = permissions.acting_authority_ids(user, Perm.REQUEST_SEND)
    return [(a.pk, a.official_name) for a in Authority.objects.filter(pk__in=ids, status=AuthorityStatus.ACTIVE)]


def _responder_matches(area: str, country: str, words: str, exclude_country: str) -> list[tuple[int, str]]:
    """Authorities competent for ``area``, found with the directory search; at most 50."""
    base = Authority.objects.filter(status=AuthorityStatus.ACTIVE).exclude(country_id=exclude_country)
    found = search(base, SearchFilters(q=words, country=country, legal_area=area)).queryset
    return [(a.pk, f"{a.official_name} ({a.city}, {a.country.name})") for a in found.select_related("country")[:50]]


def _compose_context(user, data, instance=None):
    requesters = _requesters(user)
    if not requesters:
        raise PermissionDenied(_("You need the request handler role to send requests."))
    wanted = str((data or {}).get("requester") or "")
    # Compared as text: int() refuses "²" although str.isdigit() accepts it, and long digit runs.
    own_ids = {str(pk): pk for pk, _name in requesters}
    requester_id = own_ids.get(wanted) or (instance.requester_id if instance else requesters[0][0])
    requester = Authority.objects.get(pk=requester_id)
    # Only the legal areas the requesting authority holds: the others would be refused at
    # sending ("no access to this legal area"), after the form had offered them.
    held = LegalArea.objects.filter(is_active=True, pk__in=requester.area_grants.values("legal_area_id"))
    areas = [(a.code, a.name) for a in held]
    if not areas:
        raise PermissionDenied(_("Your authority holds no legal area yet: ask its local administrator to add one."))
    preset = _preset_responder(data, instance)
    area = (data.get("legal_area") if data else None) or (instance.legal_area_id if instance else None)
    if not area and preset is not None:  # from "Send a request to this authority": an area both hold
        preset_areas = [g.legal_area_id for g in preset.area_grants.all()]
        area = next((code for code, _name in areas if code in preset_areas), None)
    if area not in dict(areas):  # not held, or a raw parameter (PostgreSQL refuses a NUL: a 500)
        area = instance.legal_area_id if instance and instance.legal_area_id in dict(areas) else areas[0][0]
    qset = QuestionSet.objects.filter(legal_area_id=area, is_current=True).first()
    questions = []
    if qset:
        questions = [(q.code, labelled(q.group.title, q.text)) for q in qset.questions.select_related("group")]
    data = data or {}
    responders = _responder_matches(
        area, str(data.get("responder_country", ""))[:2], str(data.get("responder_q", ""))[:100], requester.country_id
    )
    if instance and instance.responder_id and instance.responder_id not in {pk for pk, _l in responders}:
        responders.insert(0, (instance.responder_id, instance.responder.official_name))
    if preset is not None and preset.pk not in {pk for pk, _l in responders}:
        if preset.country_id != requester.country_id and any(g.legal_area_id == area for g in preset.area_grants.all()):
            responders.insert(0, (preset.pk, f"{preset.official_name} ({preset.city}, {preset.country.name})"))
    return dict(requesters=requesters, areas=areas, questions=questions, responders=responders), qset


def _preset_responder(data, instance) -> Authority | None:
    """The authority a "Send a request to this authority" link names (``?responder=``)."""
    if instance is not None or not data:
        return None
    pk = _int_or_none(data.get("responder"))
    if pk is None:
        return None
    return (
        Authority.objects.filter(pk=pk, status=AuthorityStatus.ACTIVE)
        .select_related("country")
        .prefetch_related("area_grants")
        .first()
    )


def _draft_from(form) -> services.DraftData:
    c = form.cleaned_data
    return services.DraftData(
        legal_area=c["legal_area"],
        responder=c.get("responder"),
        subject_name=c.get("subject_name", ""),
        subject_identifiers=c.get("subject_identifiers", ""),
        subject_address=c.get("subject_address", ""),
        subject_birth_date=c.get("subject_birth_date"),
        questions=c.get("questions") or [],
        free_text=c.get("free_text", ""),
        free_text_language=c.get("free_text_language", ""),
        reply_by=c.get("reply_by"),
    )


@login_required
def compose_view(request, pk=None):
    instance = selectors.request_get(request.user, pk) if pk else None
    if instance is not None and (
        not permissions.may_edit_draft(request.user, instance)
        or not visibility_for(request.user, instance).personal_data
    ):
        return redirect("exchanges:detail", instance.pk)
    data = request.POST if request.method == "POST" else None
    choices, qset = _compose_context(request.user, data or request.GET, instance)
    initial = {"free_text_language": request.user.language, "legal_area": request.GET.get("legal_area", "")}
    if instance:
        initial.update(
            requester=instance.requester_id,
            legal_area=instance.legal_area_id,
            responder=instance.responder_id,
            subject_name=instance.subject_name,
            subject_identifiers=instance.subject_identifiers,
            subject_address=instance.subject_address,
            subject_birth_date=instance.subject_birth_date,
            free_text=instance.free_text,
            free_text_language=instance.free_text_language or request.user.language,
            reply_by=instance.reply_by,
            questions=[rq.question.code for rq in instance.chosen.select_related("question")],
        )
    responder_ids = [pk for pk, _label in choices["responders"]]
    preset = _int_or_none(request.GET.get("responder"))
    if data is None and instance is None and preset in responder_ids:
        initial["responder"] = preset
    if qset is not None and initial.get("legal_area") != qset.legal_area_id and instance is None:
        # The list shows the area whose questions are listed (the one asked for, if held).
        initial["legal_area"] = qset.legal_area_id
    refresh = data is not None and ("find" in data or "change_area" in data)
    if len(responder_ids) == 1:
        # A search with a single match: that authority is chosen (it can still be changed).
        if data is None and not initial.get("responder"):
            initial["responder"] = responder_ids[0]
        elif refresh and not data.get("responder"):
            data = data.copy()
            data["responder"] = str(responder_ids[0])
    form = ComposeForm(data, initial=initial, **choices)
    if data is not None and not refresh and form.is_valid():
        try:
            draft = _draft_from(form)
            if instance is None:
                requester = Authority.objects.get(pk=int(form.cleaned_data["requester"]))
                instance = services.request_create(actor=request.user, requester=requester, data=draft)
            else:
                instance = services.request_update_draft(actor=request.user, request=instance, data=draft)
            if "send" in data:
                instance = services.request_act(actor=request.user, request=instance, action="submit")
                messages.success(request, _("The request has been sent."))
            else:
                messages.success(request, _("The draft has been saved."))
            return redirect("exchanges:detail", instance.pk)
        except ValidationError as exc:
            _apply_errors(form, exc)
            if instance is not None and instance.pk:
                messages.error(request, _("The draft has been saved, but it cannot be sent yet."))
        except PermissionDenied as exc:
            form.add_error(None, str(exc))
    return render(request, "exchanges/compose.html", {"form": form, "instance": instance, "question_set": qset})


def _action_forms(r, actions):
    """(action, form) per button on the request page. An action to confirm gets no form there,
    only a link to its confirmation page: no Enter key or stray click takes it."""
    handlers = selectors.handler_choices(r) if r.responder_id else []
    forms_ = []
    for spec in actions:
        if not spec.button:
            continue  # the answer and the upload have their own forms
        if spec.confirm:
            forms_.append((spec, None))
            continue
        forward_to = _authority_choices(r, spec)
        initial = {"action": spec.name, "version": r.version}
        forms_.append(
            (spec, ActionForm(initial=initial, spec=spec, handlers=handlers, forward_to=forward_to, prefix=spec.name))
        )
    return forms_


@login_required
def detail_view(request, pk):
    return _detail(request, selectors.request_get(request.user, pk))


def _detail(request, r, *, answer_form=None, failed=None, upload_form=None):
    """The request page. After a refused form (``answer_form``, ``failed``: an action's form,
    ``upload_form``) it is shown again with that form's errors: the error summary at the top,
    the field marked, the form open, the title saying "Error:"."""
    participant = permissions.is_participant(request.user, r)
    visible = visibility_for(request.user, r)
    personal = visible.personal_data
    if personal:
        services.personal_data_shown(actor=request.user, request=r, channel="web")
    services.request_seen(actor=request.user, request=r)
    rows = selectors.question_rows(r)
    actions = permissions.available_actions(request.user, r)
    can_answer = any(a.name == "answer" for a in actions)
    attachments = selectors.attachments_for(request.user, r)
    own_docs = [(str(a.pk), a.original_name) for a in attachments if a.authority_id == r.responder_id]
    if answer_form is None and can_answer:
        answer_form = AnswerForm(rows=[row for row in rows], attachments=own_docs, prefix="answer")
    messages_list = selectors.messages_for(request.user, r)
    translations = (
        selectors.translations_for(request.user, r, messages_list) if request.GET.get("translate") == "1" else {}
    )
    action_forms = _action_forms(r, actions)
    if failed is not None:
        action_forms = [(spec, failed if spec.name == failed.spec.name else form) for spec, form in action_forms]
    errors_form = next((f for f in (answer_form, failed, upload_form) if f is not None and f.errors), None)
    return render(
        request,
        "exchanges/detail.html",
        {
            "r": r,
            "participant": participant,
            "personal": personal,
            "visible": {name: visible.shows(name) for name in SUBJECT_FIELDS},
            "rows": rows,
            "action_forms": action_forms,
            "can_edit_draft": permissions.may_edit_draft(request.user, r),
            "answer_form": answer_form if can_answer else None,
            "errors_form": errors_form,
            "has_errors": errors_form is not None,
            "messages_list": messages_list,
            "contest_marks": [m for m in r.contest_marks.select_related("authority") if m.lifted_at is None],
            "translations": translations,
            "translation_offers": selectors.translation_offers_for(request.user, r, messages_list),
            "reader_language": request.user.language,
            "timeline": selectors.timeline_for(request.user, r),
            "attachments": attachments,
            "upload_form": upload_form or (UploadForm() if any(a.name == "attach" for a in actions) else None),
        },
    )


def _answer_errors(form, exc: ValidationError) -> None:
    """A service's answer errors on the answer form: ``answers.<code>`` on that question's
    field, the message and the partial flag on theirs, the rest on the form."""
    items = exc.message_dict.items() if hasattr(exc, "error_dict") else [(None, exc.messages)]
    for name, errors in items:
        field = f"q_{name.removeprefix('answers.')}" if name and name.startswith("answers.") else name
        form.add_error(field if field in form.fields else None, errors)


@login_required
@require_POST
def action_view(request, pk):
    r = selectors.request_get(request.user, pk)
    name = request.POST.get("action", "")
    spec = ACTIONS.get(name)
    if spec is None:
        raise Http404
    try:
        refused = _refused(request, r, spec)
    except PermissionDenied as exc:
        messages.error(request, str(exc))
        return redirect("exchanges:detail", r.pk)
    if refused is not None:
        return refused
    if spec.confirm:  # taken only on its confirmation page, never straight from a button
        return redirect("exchanges:confirm", r.pk, name)
    handlers = selectors.handler_choices(r) if r.responder_id else []
    forward_to = _authority_choices(r, spec, request.POST)
    form = ActionForm(request.POST, spec=spec, handlers=handlers, forward_to=forward_to, prefix=name)
    if form.is_valid():
        try:
            return _act(request, r, name, **_inputs(form))
        except ValidationError as exc:
            _apply_errors(form, exc)
    return _detail(request, r, failed=form)


@login_required
def confirm_view(request, pk, action):
    """The confirmation page of an irreversible action (``confirm`` in the table): the
    consequence in plain words, the reason where the other side needs one, and its inputs;
    the confirmed form takes the action through the service."""
    r = selectors.request_get(request.user, pk)
    spec = ACTIONS.get(action)
    if spec is None or not spec.confirm or not spec.button:
        raise Http404
    refused = _refused(request, r, spec)  # a refusal by role is the 403 page
    if refused is not None:
        return refused
    data = request.POST if request.method == "POST" else None
    forward_q = str(request.GET.get("forward_q", ""))[:100]
    form = ActionForm(
        data,
        initial={"action": spec.name, "version": r.version},
        spec=spec,
        handlers=selectors.handler_choices(r) if r.responder_id else [],
        forward_to=_authority_choices(r, spec, data, q=forward_q),
        reason_required=permissions.reason_required(r, spec),
        prefix=spec.name,
    )
    if form.is_valid():
        try:
            return _act(request, r, spec.name, **_inputs(form))
        except ValidationError as exc:
            _apply_errors(form, exc)
    return render(
        request,
        "exchanges/confirm.html",
        {"r": r, "spec": spec, "form": form, "forward_q": forward_q, "searches_authorities": _names_authority(spec)},
    )


def _refused(request, r, spec):
    """None if ``spec`` is available to the user now. If the request's state has moved on,
    the request page saying so; a refusal by role is raised (PermissionDenied)."""
    if spec in permissions.available_actions(request.user, r):
        return None
    try:
        permissions.REQUESTS.refuse(request.user, r, spec, stale=False)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("exchanges:detail", r.pk)


def _inputs(form) -> dict:
    """An action form's cleaned data as ``request_act``'s keywords (empty inputs left out)."""
    c = form.cleaned_data
    payload = {k: v for k, v in c.items() if k not in ("action", "version", "text") and v not in (None, "")}
    return {"version": c["version"], "text": c.get("text", ""), **payload}


def _names_authority(spec) -> bool:
    return "to_authority" in ActionForm.FIELDS_BY_ACTION.get(spec.name, [])


def _authority_choices(r, spec, data=None, q: str = "") -> list[tuple[int, str]]:
    """The authorities an action's ``to_authority`` field offers: the best matches of the
    search ``q`` (at most ten); in posted ``data``, only the one chosen, checked on its own
    whichever search offered it."""
    if not _names_authority(spec):
        return []
    if data is not None:
        chosen = _int_or_none(data.get(f"{spec.name}-to_authority"))
        return selectors.forward_choices(r, pk=chosen) if chosen is not None else []
    return selectors.forward_choices(r, q)


def _int_or_none(value) -> int | None:
    text = str(value or "")
    return int(text) if text.isascii() and text.isdigit() and len(text) < 12 else None


def _act(request, r, name, **kwargs):
    """Take the action; a ValidationError (bad input, wrong state) is the caller's to show on
    its form."""
    try:
        services.request_act(actor=request.user, request=r, action=name, language=request.user.language, **kwargs)
    except (services.RequestChanged, PermissionDenied) as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, event_label(name))
        if not permissions.can_view(request.user, r):
            return redirect("exchanges:inbox")
    return redirect("exchanges:detail", r.pk)


@login_required
@require_POST
def answer_view(request, pk):
    r = selectors.request_get(request.user, pk)
    rows = selectors.question_rows(r)
    own_docs = [(str(a.pk), a.original_name) for a in r.attachments.filter(authority_id=r.responder_id)]
    form = AnswerForm(request.POST, rows=rows, attachments=own_docs, prefix="answer")
    if form.is_valid():
        try:
            version = int(request.POST.get("version", ""))
        except ValueError:
            version = None
        try:
            return _act(
                request,
                r,
                "answer",
                version=version,
                text=form.cleaned_data.get("text", ""),
                answers=form.answers(),
                partial=form.cleaned_data.get("partial", False),
            )
        except ValidationError as exc:
            _answer_errors(form, exc)
    return _detail(request, r, answer_form=form)


@login_required
@require_POST
def upload_view(request, pk):
    r = selectors.request_get(request.user, pk)
    form = UploadForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            attachment = services.attachment_add(actor=request.user, request=r, upload=form.cleaned_data["file"])
        except ValidationError as exc:
            _apply_errors(form, exc)
        except PermissionDenied as exc:
            messages.error(request, str(exc))
            return redirect("exchanges:detail", r.pk)
        else:
            messages.success(request, _("%(name)s has been attached.") % {"name": attachment.original_name})
            return redirect("exchanges:detail", r.pk)
    return _detail(request, r, upload_form=form)


@login_required
def download_view(request, pk, attachment_pk):
    attachment = selectors.attachment_get(request.user, pk, attachment_pk)
    services.personal_data_shown(actor=request.user, request=attachment.request, attachment=attachment, channel="web")
    return FileResponse(
        attachment.file.open("rb"),
        as_attachment=True,
        filename=attachment.original_name,
        content_type=attachment.content_type,
    )


@login_required
def coordination_view(request):
    """A coordinator's desk: authorities waiting for validation or invited, delegation, and the
    requests to approve, referred or escalated. In exchanges, the lowest app that knows both."""
    user = request.user
    scopes = scopes_of(user)
    if not scopes:
        raise Http404
    national_country = next((s.country for s in scopes if s.kind == "national"), None)
    form = DelegatedCoordinatorForm(request.POST or None, country=national_country) if national_country else None
    if form is not None and request.method == "POST" and form.is_valid():
        c = form.cleaned_data
        try:
            target = directory_selectors.authority_get(user, c["authority"])
            directory_services.coordinator_appoint(
                actor=user,
                authority=target,
                kind=CoordinatorFunction.Kind.DELEGATED,
                legal_areas=c["legal_areas"],
                regions=c["regions"],
            )
        except Http404:
            form.add_error("authority", _("No authority with this number in your country."))
        except ValidationError as exc:
            _apply_errors(form, exc)
        except PermissionDenied as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("%(name)s is now a delegated coordinator.") % {"name": target.official_name})
            return redirect("exchanges:coordination")
    return render(
        request,
        "exchanges/coordination.html",
        {
            "queue": selectors.coordinator_queue(user),
            "pending": directory_selectors.pending_for(user)[:100],
            "invited": directory_selectors.invited_for(user)[:100],
            "scopes": scopes,
            "delegate_form": form,
        },
    )
