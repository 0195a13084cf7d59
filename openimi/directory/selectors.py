"""Every read of the directory that depends on who is asking."""

from dataclasses import dataclass

from django.db.models import Count, Prefetch, QuerySet
from django.http import Http404
from django.utils.functional import Promise
from django.utils.translation import gettext as _

from openimi.accounts.models import Membership, Role
from openimi.core.models import Country, LegalArea, Region, Term
from openimi.directory.models import (
    Authority,
    AuthorityArea,
    AuthorityKind,
    AuthorityStatus,
    AuthorityText,
    CoordinatorFunction,
)
from openimi.directory.permissions import Perm, admin_authority_ids, has_perm, roles_of, scope_filter, scopes_of
from openimi.directory.search import SearchFilters, SearchResult, normalise, search


@dataclass
class DirectoryFilters:
    q: str = ""
    country: str = ""
    legal_area: str = ""
    competence: str = ""
    status: str = ""
    region: str = ""
    kind: str = ""

    def __post_init__(self):
        # Control characters (NUL above all, which PostgreSQL refuses) never belong in a search.
        for name in ("q", "country", "legal_area", "competence", "status", "region", "kind"):
            value = getattr(self, name) or ""
            setattr(self, name, "".join(c if c.isprintable() else " " for c in value).strip())


def _with_listing_data(qs: QuerySet[Authority]) -> QuerySet[Authority]:
    """What a result entry shows, fetched in a fixed number of queries."""
    return qs.select_related("country", "region").prefetch_related(
        Prefetch("texts", queryset=AuthorityText.objects.only("authority_id", "language_id", "title")),
        Prefetch("area_grants", queryset=AuthorityArea.objects.select_related("legal_area")),
        "coordinator_functions",
    )


def _base() -> QuerySet[Authority]:
    return _with_listing_data(Authority.objects.all())


def authority_list(
    user, filters: DirectoryFilters, language: str | None = None, autocomplete: bool = False
) -> QuerySet[Authority]:
    """The directory as ``user`` may see it, filtered and searched, best matches first."""
    return authority_search(user, filters, language=language, autocomplete=autocomplete).queryset


def authority_search(
    user,
    filters: DirectoryFilters,
    *,
    language: str | None = None,
    autocomplete: bool = False,
    read_countries: bool = False,
    prefer_country: str = "",
) -> SearchResult:
    """:func:`authority_list` with what the search made of the query (a country it names)."""
    if filters.status and filters.status != AuthorityStatus.ACTIVE:
        # Entries that are not listed are only shown to the coordinators responsible for them.
        ids = Authority.objects.filter(scope_filter(scopes_of(user)), status=filters.status).values("pk")
        base = Authority.objects.filter(pk__in=ids)
    else:
        base = Authority.objects.filter(status=AuthorityStatus.ACTIVE)
    result = search(
        base,
        SearchFilters(
            q=filters.q,
            country=filters.country,
            region=filters.region,
            legal_area=filters.legal_area,
            competence=filters.competence,
            kind=filters.kind,
        ),
        language=language,
        autocomplete=autocomplete,
        read_countries=read_countries,
        prefer_country=prefer_country,
    )
    result.queryset = (
        _with_listing_data(result.queryset).select_related("parent_coordinator").prefetch_related("competences")
    )
    return result


def mark_same_names(authorities) -> None:
    """Flag results whose names are the same but for case, accents and punctuation, so the
    page shows what tells them apart (the address)."""
    seen: dict[tuple[str, ...], list] = {}
    for a in authorities:
        seen.setdefault(tuple(normalise(a.official_name)), []).append(a)
    for group in seen.values():
        for a in group:
            a.same_name = len(group) > 1


def authority_get(user, pk) -> Authority:
    """One authority the user may see, or 404 (never 403: do not confirm it exists)."""
    try:
        authority = _base().prefetch_related("competences__vocabulary").get(pk=int(pk))
    except (Authority.DoesNotExist, ValueError, TypeError, OverflowError):
        raise Http404 from None
    if not has_perm(user, Perm.AUTHORITY_VIEW, authority):
        raise Http404
    return authority


def authority_members(user, authority: Authority) -> QuerySet[Membership]:
    """Members with their roles; only for local administrators and coordinators in scope."""
    if not has_perm(user, Perm.AUTHORITY_VIEW_PRIVATE, authority):
        return Membership.objects.none()
    return (
        Membership.objects.filter(authority=authority)
        .select_related("user")
        .prefetch_related("roles__legal_area")
        .order_by("user__full_name", "pk")
    )


def administered_authorities(user) -> list[Authority]:
    """The authorities whose local administrator ``user`` is, with their number of users."""
    return list(
        Authority.objects.filter(pk__in=admin_authority_ids(user))
        .annotate(member_count=Count("memberships"))
        .order_by("official_name", "pk")
    )


def membership_get(user, authority: Authority, pk) -> Membership:
    try:
        return authority_members(user, authority).get(pk=int(pk))
    except (Membership.DoesNotExist, ValueError, TypeError, OverflowError):
        raise Http404 from None


def authority_events(user, authority: Authority):
    if not has_perm(user, Perm.AUTHORITY_VIEW_PRIVATE, authority):
        return authority.events.none()
    return authority.events.select_related("actor")[:50]


def pending_for(user) -> QuerySet[Authority]:
    """Self-registrations waiting for this coordinator's validation."""
    scopes = scopes_of(user)
    if not scopes:
        return Authority.objects.none()
    return (
        _base()
        .filter(pk__in=Authority.objects.filter(scope_filter(scopes), status=AuthorityStatus.PENDING).values("pk"))
        .order_by("created_at", "pk")
    )


def invited_for(user) -> QuerySet[Authority]:
    scopes = scopes_of(user)
    if not scopes:
        return Authority.objects.none()
    return (
        Authority.objects.filter(
            pk__in=Authority.objects.filter(scope_filter(scopes), status=AuthorityStatus.INVITED).values("pk")
        )
        .select_related("invitation", "country")
        .order_by("-created_at", "pk")
    )


def dashboard_for(user) -> dict:
    """The user's memberships with their readable roles, and the coordination count. A local
    administrator of a coordinator authority exercises its coordinator functions: the role
    shown is "National coordinator" (or delegated), not "Local administrator"."""
    memberships = list(
        Membership.objects.filter(user=user).select_related("authority__country").prefetch_related("roles__legal_area")
    )
    labels = dict(Role.choices)
    scopes = scopes_of(user)
    kinds = dict(CoordinatorFunction.Kind.choices)
    for m in memberships:
        coordinator = sorted({str(kinds[s.kind]) for s in scopes if s.authority_id == m.authority_id})
        m.role_labels = coordinator + sorted(
            {
                f"{labels[g.role]} ({g.legal_area.name})" if g.legal_area else str(labels[g.role])
                for g in m.roles.all()
                if not (coordinator and g.role == Role.LOCAL_ADMIN and g.legal_area is None)
            }
        )
    return {
        "memberships": memberships,
        "pending_count": pending_for(user).count() if scopes else None,
    }


def request_countries(user) -> set[str]:
    """Countries the user sends requests from (as a request handler of an active authority):
    authorities elsewhere get a "Send a request to this authority" link."""
    handler_of = [
        pk for pk, grants in roles_of(user).items() if any(role == Role.REQUEST_HANDLER for role, _a in grants)
    ]
    if not handler_of:
        return set()
    return set(
        Authority.objects.filter(pk__in=handler_of, status=AuthorityStatus.ACTIVE).values_list("country_id", flat=True)
    )


def authorities_to_act_for(user) -> QuerySet[Authority]:
    """Authorities of which the user is a member (for choosing which one an API token acts for)."""
    return Authority.objects.filter(pk__in=list(roles_of(user))).order_by("official_name")


def selected_filters(filters: DirectoryFilters, query, *, country_names: dict, areas) -> list[dict]:
    """The filters in force, each with its readable value and the address that removes it."""
    values = {
        "country": lambda code: country_names.get(code, code),
        "legal_area": lambda code: {a.code: a.name for a in areas}.get(code, code),
        "competence": lambda code: next((t.label for t in Term.objects.filter(code=code)), code),
        "region": lambda code: next(iter(Region.objects.filter(code=code).values_list("name", flat=True)), code),
        "kind": lambda code: dict(AuthorityKind.choices).get(code, code),
        "status": lambda code: dict(AuthorityStatus.choices).get(code, code),
    }
    names = {
        "country": _("Country"),
        "legal_area": _("Legal area"),
        "competence": _("Competences"),
        "region": _("Region"),
        "kind": _("Type"),
        "status": _("Status"),
    }
    selected = []
    for name, label in values.items():
        code = getattr(filters, name)
        if not code:
            continue
        params = query.copy()
        params.pop(name, None)
        params.pop("page", None)
        if name == "country":
            params.pop("region", None)  # a region belongs to its country
        selected.append({"name": names[name], "value": label(code), "remove": params.urlencode()})
    return selected


def facet_links(counts: dict, query) -> dict[str, list[dict]]:
    """Facet counts with readable labels and the address that applies each one."""
    labels: dict[str, dict[str, str | Promise]] = {
        "country": {c.code: c.name for c in Country.objects.filter(code__in=[k for k, _n in counts["country"]])},
        "legal_area": {
            a.code: a.name for a in LegalArea.objects.filter(code__in=[k for k, _n in counts["legal_area"]])
        },
        "kind": dict(AuthorityKind.choices),
        "region": dict(Region.objects.filter(code__in=[k for k, _n in counts["region"]]).values_list("code", "name")),
        "competence": {t.code: t.label for t in Term.objects.filter(code__in=[k for k, _n in counts["competence"]])},
    }
    out = {}
    for name, rows in counts.items():
        links = []
        for value, n in rows[:12]:
            params = query.copy()
            params[name] = value
            params.pop("page", None)
            links.append(
                {
                    "label": labels[name].get(value, value),
                    "count": n,
                    "query": params.urlencode(),
                    "active": query.get(name) == value,
                }
            )
        out[name] = links
    return out
