"""Directory pages. Views parse input, call a service or selector, and render; no rules here."""

import secrets
from pathlib import Path

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from openimi.accounts.forms import MemberForm, MemberRolesForm, role_values
from openimi.accounts.models import role_descriptions
from openimi.accounts.selectors import api_tokens_of
from openimi.core.models import Country, LegalArea
from openimi.directory import importing, members, selectors, services
from openimi.directory.forms import (
    AreasForm,
    AuthorityForm,
    ImportForm,
    InviteForm,
    JoinForm,
    NationalCoordinatorForm,
    SuspendForm,
)
from openimi.directory.models import AuthorityKind, AuthorityStatus, CoordinatorFunction
from openimi.directory.permissions import Perm, has_perm, require, scopes_of
from openimi.directory.search import facets
from openimi.directory.services import AuthorityData
from openimi.directory.workflow import AUTHORITY_STATUS

PAGE_SIZE = 25


def _apply_errors(form, exc: ValidationError) -> None:
    """Put a service's field errors on the form fields (unknown fields become form errors)."""
    if hasattr(exc, "error_dict"):
        for name, errors in exc.message_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


def _page_number(request) -> int:
    try:
        return max(1, min(int(request.GET.get("page", 1)), 100_000))
    except ValueError:
        return 1


LAST_COUNTRY = "directory_country"  # session key: the country the user last filtered by


@login_required
def authority_list_view(request):
    get = request.GET
    filters = selectors.DirectoryFilters(
        q=get.get("q", "")[:200],
        country=get.get("country", "")[:2].upper(),
        legal_area=get.get("legal_area", "")[:64],
        competence=get.get("competence", "")[:64],
        region=get.get("region", "")[:12],
        kind=get.get("kind", "")[:32],
        status=get.get("status", "") if get.get("status") in AuthorityStatus.values else "",
    )
    countries = list(Country.objects.filter(is_active=True))
    country_names = {c.code: c.name for c in countries}
    # Habit: among equally good matches, the country the user last filtered by comes first.
    # It reorders and never hides; filtering stays explicit (see docs/search.md).
    habit = request.session.get(LAST_COUNTRY, "") if not filters.country else ""
    habit = habit if habit in country_names else ""
    result = selectors.authority_search(
        request.user,
        filters,
        language=request.LANGUAGE_CODE,
        read_countries=get.get("as_written") != "1",
        prefer_country=habit,
    )
    reading = result.country
    query = get.copy()
    query.pop("page", None)
    query.pop("as_written", None)
    read_from_query = None
    if reading is not None and reading.country and (reading.rest != filters.q or not filters.country):
        # The query named a country: it is now the filter, and the rest is what is searched.
        read_from_query = {"phrase": reading.phrase, "country": country_names.get(reading.country, reading.country)}
        read_from_query["as_written"] = _querystring(query, as_written="1")
        filters.q, filters.country = reading.rest, reading.country
        query["q"], query["country"] = reading.rest, reading.country
        if not query["q"]:
            query.pop("q")
        habit = ""
    suggestions = []
    if reading is not None and reading.ambiguous:
        suggestions = [
            {"name": country_names.get(code, code), "query": _querystring(query, q=reading.rest, country=code)}
            for code in reading.ambiguous
        ]
    if filters.country and request.session.get(LAST_COUNTRY) != filters.country:
        request.session[LAST_COUNTRY] = filters.country
    paginator = Paginator(result.queryset, PAGE_SIZE)
    page = paginator.get_page(_page_number(request))
    selectors.mark_same_names(page.object_list)
    areas = list(LegalArea.objects.filter(is_active=True))
    return render(
        request,
        "directory/list.html",
        {
            "page": page,
            "filters": filters,
            "countries": countries,
            "areas": areas,
            "kinds": AuthorityKind.choices,
            "statuses": AuthorityStatus.choices if scopes_of(request.user) else [],
            "querystring": query.urlencode(),
            "facets": selectors.facet_links(facets(result.queryset), query) if filters.q or filters.competence else {},
            "selected": selectors.selected_filters(filters, query, country_names=country_names, areas=areas),
            "read_from_query": read_from_query,
            "country_suggestions": suggestions,
            "habit": country_names.get(habit) if habit and filters.q else None,
            "send_from": selectors.request_countries(request.user),
        },
    )


def _querystring(query, **changes) -> str:
    params = query.copy()
    for name, value in changes.items():
        if value:
            params[name] = value
        else:
            params.pop(name, None)
    return params.urlencode()


@login_required
def suggest_view(request):
    """Autocomplete: the first matching names for what has been typed so far (JSON)."""
    filters = selectors.DirectoryFilters(q=request.GET.get("q", "")[:100])
    if len(filters.q) < 2:
        return JsonResponse({"suggestions": []})
    names = list(
        selectors.authority_list(request.user, filters, language=request.LANGUAGE_CODE, autocomplete=True).values_list(
            "official_name", flat=True
        )[:8]
    )
    return JsonResponse({"suggestions": names})


@login_required
def authority_detail_view(request, pk):
    authority = selectors.authority_get(request.user, pk)
    user = request.user
    competences = {}
    for term in authority.competences.all():
        competences.setdefault(term.vocabulary.name, []).append(term.label)
    return render(
        request,
        "directory/detail.html",
        {
            "authority": authority,
            "text": authority.text_in(),
            "competences": sorted(competences.items()),
            "members": selectors.authority_members(user, authority),
            "events": selectors.authority_events(user, authority),
            "can": {
                "edit": has_perm(user, Perm.AUTHORITY_EDIT, authority),
                "validate": has_perm(user, Perm.AUTHORITY_VALIDATE, authority)
                and authority.status == AuthorityStatus.PENDING,
                "suspend": has_perm(user, Perm.AUTHORITY_SUSPEND, authority)
                and authority.status in (AuthorityStatus.ACTIVE, AuthorityStatus.PENDING),
                "reactivate": has_perm(user, Perm.AUTHORITY_SUSPEND, authority)
                and authority.status == AuthorityStatus.SUSPENDED,
                "areas": has_perm(user, Perm.AUTHORITY_GRANT_AREA, authority),
                "members": has_perm(user, Perm.MEMBER_MANAGE, authority),
                "private": has_perm(user, Perm.AUTHORITY_VIEW_PRIVATE, authority),
            },
            "send_from": selectors.request_countries(user),
        },
    )


@login_required
def authority_edit_view(request, pk):
    authority = selectors.authority_get(request.user, pk)
    require(request.user, Perm.AUTHORITY_EDIT, authority)
    current = AuthorityData.from_authority(authority)
    form = AuthorityForm(
        request.POST or None,
        initial=AuthorityForm.initial_from(current),
        fixed_country=authority.country_id,
        with_areas=False,
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.authority_update(actor=request.user, authority=authority, data=form.to_data(current.texts))
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("The details have been saved."))
            return redirect("directory:detail", authority.pk)
    return render(
        request,
        "directory/form.html",
        {
            "form": form,
            "title": _("Edit %(name)s") % {"name": authority.official_name},
            "authority": authority,
        },
    )


def _coordinator_context(user):
    scopes = scopes_of(user)
    if not scopes:
        raise PermissionDenied(_("Only coordinators can do this."))
    countries = sorted({s.country for s in scopes})
    areas = None if any(s.areas is None for s in scopes) else sorted(set().union(*(s.areas for s in scopes)))
    return countries, areas


@login_required
def authority_register_view(request):
    countries, areas = _coordinator_context(request.user)
    form = AuthorityForm(request.POST or None, countries=countries, areas=areas, initial={"country": countries[0]})
    if request.method == "POST" and form.is_valid():
        try:
            authority = services.authority_register(actor=request.user, data=form.to_data())
        except ValidationError as exc:
            _apply_errors(form, exc)
        except PermissionDenied as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("The authority is registered and listed in the directory."))
            return redirect("directory:detail", authority.pk)
    return render(request, "directory/form.html", {"form": form, "title": _("Register an authority")})


@login_required
def authority_invite_view(request):
    countries, areas = _coordinator_context(request.user)
    form = InviteForm(request.POST or None, countries=countries, areas=areas)
    link = None
    if request.method == "POST" and form.is_valid():
        c = form.cleaned_data
        try:
            authority, link = services.authority_invite(
                actor=request.user,
                email=c["email"],
                official_name=c["official_name"],
                country=c["country"],
                region=c["region"] or None,
                legal_areas=c["legal_areas"],
                language=c["official_language"] or None,
            )
        except ValidationError as exc:
            _apply_errors(form, exc)
        except PermissionDenied as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("The invitation has been sent to %(email)s.") % {"email": c["email"]})
            return render(request, "directory/invited.html", {"authority": authority, "link": link})
    return render(request, "directory/form.html", {"form": form, "title": _("Invite an authority to register")})


def join_view(request, token):
    """Public page behind the invitation link: no sign-in, the token is the credential."""
    try:
        invitation = services.invitation_get(token)
    except ValidationError as exc:
        return render(request, "directory/join_invalid.html", {"message": exc.messages[0]}, status=410)
    authority = invitation.authority
    initial = AuthorityForm.initial_from(AuthorityData.from_authority(authority))
    form = JoinForm(request.POST or None, initial=initial, fixed_country=authority.country_id, with_areas=False)
    if request.method == "POST" and form.is_valid():
        c = form.cleaned_data
        try:
            services.invitation_complete(
                raw_token=token, data=form.to_data(), admin_name=c["admin_name"], admin_password=c["admin_password"]
            )
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            return render(request, "directory/join_done.html", {"authority": authority, "email": invitation.email})
    return render(
        request,
        "directory/form.html",
        {
            "form": form,
            "title": _("Register %(name)s") % {"name": authority.official_name},
            "intro": _(
                "Complete your authority's entry. Your coordinator will check it before it is listed. "
                "You will be its first local administrator and sign in with %(email)s."
            )
            % {"email": invitation.email},
        },
    )


@login_required
def authority_areas_view(request, pk):
    authority = selectors.authority_get(request.user, pk)
    require(request.user, Perm.AUTHORITY_GRANT_AREA, authority)
    current = AuthorityData.from_authority(authority)
    form = AreasForm(
        request.POST or None, initial={"legal_areas": current.legal_areas, "competences": current.competences}
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.authority_set_areas(
                actor=request.user,
                authority=authority,
                legal_areas=form.cleaned_data["legal_areas"],
                competences=form.cleaned_data["competences"],
            )
        except ValidationError as exc:
            _apply_errors(form, exc)
        except PermissionDenied as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Legal areas and competences have been saved."))
            return redirect("directory:detail", authority.pk)
    return render(
        request,
        "directory/form.html",
        {
            "form": form,
            "title": _("Legal areas and competences of %(name)s") % {"name": authority.official_name},
            "authority": authority,
        },
    )


def _status_action(request, pk, action):
    authority = selectors.authority_get(request.user, pk)
    try:
        action(authority)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("directory:detail", authority.pk)


@login_required
@require_POST
def authority_validate_view(request, pk):
    def act(authority):
        services.authority_validate(actor=request.user, authority=authority)
        messages.success(request, _("The authority is validated and now listed in the directory."))

    return _status_action(request, pk, act)


@login_required
def authority_suspend_view(request, pk):
    """The suspension's confirmation page (``confirm`` in the status table): the consequence,
    the reason (required), Cancel; the confirmed form suspends through the service."""
    authority = selectors.authority_get(request.user, pk)
    spec = AUTHORITY_STATUS.transitions["suspend"]
    if not AUTHORITY_STATUS.allowed(request.user, authority, spec):
        try:
            AUTHORITY_STATUS.refuse(request.user, authority, spec, stale=False)  # PermissionDenied: a 403
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect("directory:detail", authority.pk)
    form = SuspendForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.authority_suspend(actor=request.user, authority=authority, reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("The authority is suspended."))
            return redirect("directory:detail", authority.pk)
    return render(request, "directory/suspend.html", {"authority": authority, "spec": spec, "form": form})


@login_required
@require_POST
def authority_reactivate_view(request, pk):
    def act(authority):
        services.authority_reactivate(actor=request.user, authority=authority)
        messages.success(request, _("The authority is active again."))

    return _status_action(request, pk, act)


@login_required
def users_view(request):
    """The "Users" menu entry of local administrators: their authority's users page, or the
    list of the authorities they administer when there are several."""
    authorities = selectors.administered_authorities(request.user)
    if not authorities:
        raise Http404
    if len(authorities) == 1:
        return redirect("directory:members", authorities[0].pk)
    return render(
        request, "directory/users.html", {"authorities": authorities, "role_descriptions": role_descriptions()}
    )


@login_required
def members_view(request, pk):
    authority = selectors.authority_get(request.user, pk)
    require(request.user, Perm.MEMBER_MANAGE, authority)
    form = MemberForm(request.POST or None, authority=authority)
    if request.method == "POST" and form.is_valid():
        c = form.cleaned_data
        try:
            membership = members.member_add(
                actor=request.user,
                authority=authority,
                email=c["email"],
                full_name=c["full_name"],
                roles=form.role_specs(),
            )
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            added = membership.user
            # The existing account's own name: the one typed may be spelt otherwise.
            if added.has_usable_password():
                done = _("%(name)s has been added. They sign in with their existing password.")
            else:
                done = _("%(name)s has been added and will receive an e-mail to choose a password.")
            messages.success(request, done % {"name": added.full_name})
            return redirect("directory:members", authority.pk)
    return render(
        request,
        "directory/members.html",
        {
            "authority": authority,
            "members": selectors.authority_members(request.user, authority),
            "form": form,
            "role_descriptions": role_descriptions(),
        },
    )


@login_required
def member_edit_view(request, pk, member_pk):
    authority = selectors.authority_get(request.user, pk)
    require(request.user, Perm.MEMBER_MANAGE, authority)
    membership = selectors.membership_get(request.user, authority, member_pk)
    form = MemberRolesForm(request.POST or None, authority=authority, initial={"roles": role_values(membership)})
    if request.method == "POST":
        try:
            if form.is_valid():
                members.member_set_roles(actor=request.user, membership=membership, roles=form.role_specs())
                messages.success(request, _("The roles have been saved."))
                return redirect("directory:members", authority.pk)
        except ValidationError as exc:
            _apply_errors(form, exc)
    return render(
        request,
        "directory/member_edit.html",
        {"authority": authority, "membership": membership, "form": form, "role_descriptions": role_descriptions()},
    )


@login_required
def member_remove_view(request, pk, member_pk):
    """Removing a user from the authority, on a confirmation page of its own."""
    authority = selectors.authority_get(request.user, pk)
    require(request.user, Perm.MEMBER_MANAGE, authority)
    membership = selectors.membership_get(request.user, authority, member_pk)
    form = forms.Form(request.POST if request.method == "POST" else None)
    if form.is_valid():
        try:
            members.member_remove(actor=request.user, membership=membership)
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("The user has been removed from the authority."))
            return redirect("directory:members", authority.pk)
    return render(
        request, "directory/member_remove.html", {"authority": authority, "membership": membership, "form": form}
    )


@login_required
def import_view(request):
    require(request.user, Perm.AUTHORITY_IMPORT)
    form = ImportForm(request.POST or None, request.FILES or None)
    report = None
    upload_dir = Path(settings.MEDIA_ROOT) / "imports"
    if request.method == "POST" and "confirm" in request.POST:
        stored = request.session.get("openimi_import")
        path = upload_dir / stored["file"] if stored and stored.get("token") == request.POST.get("token") else None
        if path is None or not path.exists():
            # On the file field, in the error summary, as any other form error.
            form = ImportForm({}, {})
            form.is_valid()
            form.errors["file"] = form.error_class([_("The checked file is no longer available. Upload it again.")])
        else:
            report = importing.authorities_import(
                actor=request.user, content=path.read_bytes(), filename=stored["name"], apply=True
            )
        if report is not None and report.applied:
            path.unlink(missing_ok=True)
            request.session.pop("openimi_import", None)
            messages.success(
                request,
                # Two counts, two sentences: each number chooses its own plural form.
                _("Import complete.")
                + " "
                + ngettext("%(count)d authority created.", "%(count)d authorities created.", report.created)
                % {"count": report.created}
                + " "
                + ngettext("%(count)d authority updated.", "%(count)d authorities updated.", report.updated)
                % {"count": report.updated},
            )
            return redirect("exchanges:coordination")
    elif request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        content = upload.read(importing.MAX_BYTES + 1)
        try:
            report = importing.authorities_import(
                actor=request.user, content=content, filename=upload.name, apply=False
            )
        except importing.ImportFileError as exc:
            form.add_error("file", str(exc))
        else:
            if report.ok:
                upload_dir.mkdir(parents=True, exist_ok=True)
                token = secrets.token_hex(16)
                (upload_dir / token).write_bytes(content)
                request.session["openimi_import"] = {"token": token, "file": token, "name": upload.name[:200]}
    return render(
        request,
        "directory/import.html",
        {
            "form": form,
            "report": report,
            "token": (request.session.get("openimi_import") or {}).get("token"),
            "columns": sorted(importing.KNOWN_COLUMNS),
        },
    )


@login_required
def operator_view(request):
    require(request.user, Perm.COORDINATOR_APPOINT_NATIONAL)
    coordinated = dict(CoordinatorFunction.objects.filter(kind="national").values_list("country_id", "authority_id"))
    countries = list(Country.objects.filter(is_active=True))
    form = NationalCoordinatorForm(
        request.POST or None, countries=[c.code for c in countries if c.code not in coordinated]
    )
    if request.method == "POST" and form.is_valid():
        c = form.cleaned_data
        country = Country.objects.get(code=c["country"])
        data = AuthorityData(
            official_name=c["official_name"],
            official_language=country.default_language_id,
            country=country.code,
            kind="ministry",
            email=c["email"],
        )
        try:
            authority = services.national_coordinator_register(
                actor=request.user, data=data, admin_email=c["admin_email"], admin_name=c["admin_name"]
            )
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(
                request, _("%(name)s is now the national coordinator.") % {"name": authority.official_name}
            )
            return redirect("directory:operator")
    return render(
        request,
        "directory/operator.html",
        {
            "countries": [(c, coordinated.get(c.code)) for c in countries],
            "form": form,
        },
    )


@login_required
def token_revoke_view(request, pk: int):
    """Revoke one of the user's API tokens from the profile page, after a confirmation page (the
    token is the authority's: its revocation is recorded on the authority's history)."""
    token = get_object_or_404(api_tokens_of(request.user), pk=pk)
    if request.method == "POST":
        members.token_revoke(actor=request.user, token=token)
        messages.success(request, _("The token has been revoked. Programs using it can no longer connect."))
        return redirect("accounts:profile")
    return render(request, "directory/token_revoke.html", {"token": token, "form": forms.Form()})
