"""The one place that answers "may this user do this on that?" — for pages and API alike.

Permissions are named ``scope:resource:action``. Roles come from memberships (per legal area);
coordinator powers come from the coordinator functions held by an authority, exercised by its
local administrators. Results are cached on the user object for the length of a request.
"""

from dataclasses import dataclass
from enum import StrEnum

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.utils.translation import gettext as _

from openimi.accounts.models import Role, RoleGrant
from openimi.directory.models import AuthorityStatus, CoordinatorFunction

# An authority still registering (invited, or waiting for its coordinator's validation) is
# not in the exchanges yet: its local administrators keep only what completing the entry needs
# (editing it, managing its members). A suspended authority's members hold no role at all, so
# pages, the API, notifications and tokens all refuse them through this one function.
REGISTERING = (AuthorityStatus.INVITED, AuthorityStatus.PENDING)


class Perm(StrEnum):
    """Every permission checked anywhere in OpenIMI."""

    AUTHORITY_VIEW = "directory:authority:view"
    AUTHORITY_VIEW_PRIVATE = "directory:authority:view_private"
    AUTHORITY_EDIT = "directory:authority:edit"
    AUTHORITY_REGISTER = "directory:authority:register"
    AUTHORITY_VALIDATE = "directory:authority:validate"
    AUTHORITY_SUSPEND = "directory:authority:suspend"
    AUTHORITY_GRANT_AREA = "directory:authority:grant_area"
    AUTHORITY_IMPORT = "directory:authority:import"
    COORDINATOR_APPOINT_NATIONAL = "directory:coordinator:appoint_national"
    COORDINATOR_APPOINT_DELEGATED = "directory:coordinator:appoint_delegated"
    MEMBER_MANAGE = "accounts:member:manage"
    TOKEN_ISSUE = "accounts:token:issue"  # noqa: S105 - a permission name, not a secret
    SUBJECT_REQUEST_MANAGE = "privacy:subject_request:manage"
    REFERENCE_MANAGE = "core:reference:manage"
    NETWORK_STATISTICS_VIEW = "core:statistics:view"


@dataclass(frozen=True)
class Scope:
    """What one coordinator function covers. ``None`` means "all" (areas or regions)."""

    authority_id: int
    kind: str
    country: str
    areas: frozenset[str] | None
    regions: frozenset[str] | None

    def covers(self, *, country: str, region_codes: set[str], area_codes: set[str]) -> bool:
        if country != self.country:
            return False
        if self.regions is not None and not (region_codes & self.regions):
            return False
        if self.areas is not None and area_codes and not (area_codes & self.areas):
            return False
        return True

    def allows_area(self, area_code: str) -> bool:
        return self.areas is None or area_code in self.areas


def roles_of(user) -> dict[int, set[tuple[str, str | None]]]:
    """``{authority id: {(role, legal area or None)}}`` for the user's authorities, counting only
    the roles their authority's status allows (all while active, see :data:`REGISTERING`)."""
    if not getattr(user, "is_authenticated", False):
        return {}
    cached = getattr(user, "_openimi_roles", None)
    if cached is None:
        cached = {}
        grants = RoleGrant.objects.filter(
            Q(membership__authority__status=AuthorityStatus.ACTIVE)
            | Q(membership__authority__status__in=REGISTERING, role=Role.LOCAL_ADMIN),
            membership__user=user,
        ).values_list("membership__authority_id", "role", "legal_area_id")
        for authority_id, role, area in grants:
            cached.setdefault(authority_id, set()).add((role, area))
        user._openimi_roles = cached
    return cached


def has_role(user, authority_id: int, role: Role, legal_area: str | None = None) -> bool:
    grants = roles_of(user).get(authority_id, set())
    return (role, None) in grants or (legal_area is not None and (role, legal_area) in grants)


def scopes_of(user) -> list[Scope]:
    """Coordinator scopes the user exercises (as local administrator of a coordinator authority)."""
    if not getattr(user, "is_authenticated", False):
        return []
    cached = getattr(user, "_openimi_scopes", None)
    if cached is None:
        admin_of = admin_authority_ids(user)
        functions = CoordinatorFunction.objects.filter(
            authority_id__in=admin_of, authority__status=AuthorityStatus.ACTIVE
        ).prefetch_related("legal_areas", "regions__children__children")
        cached = [_scope_of(function) for function in functions]
        user._openimi_scopes = cached
    return cached


def _scope_of(function) -> Scope:
    areas = frozenset(a.code for a in function.legal_areas.all()) or None
    regions: set[str] = set()
    for region in function.regions.all():
        # A scope over a région covers its départements too.
        stack = [region]
        while stack:
            node = stack.pop()
            regions.add(node.code)
            stack.extend(node.children.all())
    return Scope(function.authority_id, function.kind, function.country_id, areas, frozenset(regions) or None)


def scopes_covering(user, authority) -> list[Scope]:
    """The user's coordinator scopes that cover ``authority``. Asked several times per page
    (once per side and per action), so the answer is kept on the user per authority, and an
    authority's regions and areas are read only when the user coordinates in its country."""
    scopes = [s for s in scopes_of(user) if s.country == authority.country_id]
    if not scopes:
        return []
    if authority.pk is None:  # an authority being registered: nothing to keep
        return _covering(scopes, authority)
    cache = user.__dict__.setdefault("_openimi_covering", {})
    if authority.pk not in cache:
        cache[authority.pk] = _covering(scopes, authority)
    return cache[authority.pk]


def _covering(scopes: list[Scope], authority) -> list[Scope]:
    region_codes = authority.region.ancestor_codes() if authority.region_id else set()
    area_codes = {a.legal_area_id for a in authority.area_grants.all()} if authority.pk else set()
    return [
        s for s in scopes if s.covers(country=authority.country_id, region_codes=region_codes, area_codes=area_codes)
    ]


def scope_filter(scopes: list[Scope], prefix: str = "") -> Q:
    """A queryset filter on authorities matching any of ``scopes`` (empty list: nothing)."""
    query = Q(pk__in=[])
    for scope in scopes:
        part = Q(**{f"{prefix}country_id": scope.country})
        if scope.regions is not None:
            part &= Q(**{f"{prefix}region_id__in": scope.regions})
        if scope.areas is not None:
            part &= Q(**{f"{prefix}area_grants__legal_area_id__in": scope.areas}) | Q(
                **{f"{prefix}area_grants__isnull": True}
            )
        query |= part
    return query


def has_perm(user, perm: Perm, obj=None) -> bool:
    """True when ``user`` may do ``perm`` on ``obj`` (an Authority, or None for global actions)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    check = _CHECKS[perm]
    return check(user, obj)


def require(user, perm: Perm, obj=None) -> None:
    """Raise PermissionDenied with a readable message unless ``has_perm``."""
    if not has_perm(user, perm, obj):
        raise PermissionDenied(_("You are not allowed to do this."))


def _is_member(user, authority) -> bool:
    return authority.pk in roles_of(user)


def _is_local_admin(user, authority) -> bool:
    return has_role(user, authority.pk, Role.LOCAL_ADMIN)


def _view(user, authority) -> bool:
    return authority.is_listed or _is_member(user, authority) or bool(scopes_covering(user, authority))


def _view_private(user, authority) -> bool:
    return _is_local_admin(user, authority) or bool(scopes_covering(user, authority))


def _coordinates(user, authority) -> bool:
    return bool(scopes_covering(user, authority))


def _is_coordinator(user, _obj) -> bool:
    return bool(scopes_of(user))


def _is_national_coordinator(user, _obj) -> bool:
    return any(s.kind == "national" for s in scopes_of(user))


def _is_operator(user, _obj) -> bool:
    return bool(user.is_operator)


def admin_authority_ids(user) -> list[int]:
    """The authorities whose local administrator ``user`` is."""
    return [a for a, grants in roles_of(user).items() if (Role.LOCAL_ADMIN, None) in grants]


def _token_issue(user, authority) -> bool:
    return _is_member(user, authority) and authority.is_listed


_CHECKS = {
    Perm.AUTHORITY_VIEW: _view,
    Perm.AUTHORITY_VIEW_PRIVATE: _view_private,
    Perm.AUTHORITY_EDIT: lambda u, a: _is_local_admin(u, a) or _coordinates(u, a),
    Perm.AUTHORITY_REGISTER: _is_coordinator,
    Perm.AUTHORITY_VALIDATE: _coordinates,
    Perm.AUTHORITY_SUSPEND: _coordinates,
    Perm.AUTHORITY_GRANT_AREA: _coordinates,
    Perm.AUTHORITY_IMPORT: _is_coordinator,
    Perm.COORDINATOR_APPOINT_NATIONAL: _is_operator,
    Perm.COORDINATOR_APPOINT_DELEGATED: _is_national_coordinator,
    Perm.MEMBER_MANAGE: lambda u, a: _is_local_admin(u, a) or _coordinates(u, a),
    Perm.TOKEN_ISSUE: _token_issue,
    # Data-subject requests are answered by the authority that holds the data.
    Perm.SUBJECT_REQUEST_MANAGE: lambda u, a: _is_local_admin(u, a),
    # The operator keeps reference data and sees counts of the network, never its content.
    Perm.REFERENCE_MANAGE: _is_operator,
    Perm.NETWORK_STATISTICS_VIEW: _is_operator,
}
