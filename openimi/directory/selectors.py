"""Every read of the directory that depends on who is asking."""

from dataclasses import dataclass

from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404

from openimi.accounts.models import Membership, Role
from openimi.accounts.permissions import Perm, has_perm, roles_of, scope_filter, scopes_of
from openimi.directory.models import Authority, AuthorityArea, AuthorityStatus, AuthorityText


@dataclass
class DirectoryFilters:
    q: str = ""
    country: str = ""
    legal_area: str = ""
    competence: str = ""
    status: str = ""

    def __post_init__(self):
        # Control characters (NUL above all, which PostgreSQL refuses) never belong in a search.
        for name in ("q", "country", "legal_area", "competence", "status"):
            value = getattr(self, name) or ""
            setattr(self, name, "".join(c if c.isprintable() else " " for c in value).strip())


def _base() -> QuerySet[Authority]:
    return Authority.objects.select_related("country", "region").prefetch_related(
        Prefetch("texts", queryset=AuthorityText.objects.only("authority_id", "language_id", "title")),
        Prefetch("area_grants", queryset=AuthorityArea.objects.select_related("legal_area")),
        "coordinator_functions",
    )


def visible_authorities(user) -> QuerySet[Authority]:
    """Listed (active) authorities, plus those the user belongs to or coordinates."""
    own = list(roles_of(user))
    return Authority.objects.filter(
        Q(status=AuthorityStatus.ACTIVE) | Q(pk__in=own) | scope_filter(scopes_of(user))
    ).distinct()


def authority_list(user, filters: DirectoryFilters) -> QuerySet[Authority]:
    """The directory as ``user`` may see it, filtered and in a stable order."""
    if filters.status and filters.status != AuthorityStatus.ACTIVE:
        # Entries that are not listed are only shown to the coordinators responsible for them.
        ids = Authority.objects.filter(scope_filter(scopes_of(user)), status=filters.status).values("pk")
        qs = _base().filter(pk__in=ids)
    else:
        qs = _base().filter(status=AuthorityStatus.ACTIVE)
    if filters.country:
        qs = qs.filter(country_id=filters.country)
    if filters.legal_area:
        qs = qs.filter(pk__in=AuthorityArea.objects.filter(legal_area_id=filters.legal_area).values("authority_id"))
    if filters.competence:
        qs = qs.filter(
            pk__in=Authority.competences.through.objects.filter(term_id=filters.competence).values("authority_id")
        )
    for word in filters.q.split()[:10]:
        # Subqueries rather than joins: no duplicate rows, so no DISTINCT over the whole table.
        titled = AuthorityText.objects.filter(title__icontains=word).values("authority_id")
        qs = qs.filter(Q(official_name__icontains=word) | Q(city__icontains=word) | Q(pk__in=titled))
    return qs.order_by("official_name", "pk")


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
    memberships = list(
        Membership.objects.filter(user=user).select_related("authority__country").prefetch_related("roles__legal_area")
    )
    labels = dict(Role.choices)
    for m in memberships:
        m.role_labels = sorted(
            {f"{labels[g.role]} ({g.legal_area.name})" if g.legal_area else str(labels[g.role]) for g in m.roles.all()}
        )
    return {
        "memberships": memberships,
        "pending_count": pending_for(user).count() if scopes_of(user) else None,
    }


def authorities_to_act_for(user) -> QuerySet[Authority]:
    """Authorities of which the user is a member (for choosing which one an API token acts for)."""
    return Authority.objects.filter(pk__in=list(roles_of(user))).order_by("official_name")
