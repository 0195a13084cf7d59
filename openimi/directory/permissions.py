"""The one place that answers "may this user do this on that?" — for pages and API alike.

Permissions are named ``scope:resource:action`` (:class:`Perm`). Roles come from memberships
(per legal area); coordinator powers come from the coordinator functions held by an authority,
exercised by its local administrators. Both are loaded once per HTTP request or API call into
an :class:`Access` (``request.access``: the middleware for pages, the token authentication for
the API), so that every check after that is answered in memory. ``has_perm(who, perm, obj)``
takes that access context or a user (whose context is then built once, on first use).
"""

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext as _

from openimi.accounts.models import Role, RoleGrant
from openimi.directory.models import AuthorityStatus, CoordinatorFunction

# An authority still registering (invited, or waiting for its coordinator's validation) is
# not in the exchanges yet: its local administrators keep only what completing the entry needs
# (editing it, managing its members). A suspended authority's members hold no role at all, so
# pages, the API, notifications and tokens all refuse them through this one function.
REGISTERING = (AuthorityStatus.INVITED, AuthorityStatus.PENDING)
# Coordinator functions that give alert powers only (openimi.alerts), not the directory's.
ALERT_KINDS = frozenset({CoordinatorFunction.Kind.ALERT_OUTGOING, CoordinatorFunction.Kind.ALERT_INCOMING})


class Perm(StrEnum):
    """Every permission checked anywhere in OpenIMI. The ``exchanges:request:*`` members are
    the information-request workflow's: one per action (the action table's ``who``), plus
    reading a request and editing a draft; their checks are registered by
    ``openimi.exchanges.permissions`` (the app that knows requests)."""

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
    # Information requests: reading one, editing a draft, and one permission per action.
    REQUEST_VIEW = "exchanges:request:view"
    REQUEST_EDIT_DRAFT = "exchanges:request:edit_draft"
    REQUEST_SEND = "exchanges:request:send"
    REQUEST_APPROVE = "exchanges:request:approve"
    REQUEST_REJECT = "exchanges:request:reject"
    REQUEST_ACCEPT = "exchanges:request:accept"
    REQUEST_FORWARD = "exchanges:request:forward"
    REQUEST_ALLOCATE = "exchanges:request:allocate"
    REQUEST_ASK_CLARIFICATION = "exchanges:request:ask_clarification"
    REQUEST_GIVE_CLARIFICATION = "exchanges:request:give_clarification"
    REQUEST_ANSWER = "exchanges:request:answer"
    REQUEST_ACCEPT_ANSWER = "exchanges:request:accept_answer"
    REQUEST_ASK_FURTHER = "exchanges:request:ask_further"
    REQUEST_WITHDRAW = "exchanges:request:withdraw"
    REQUEST_PROPOSE_DATE = "exchanges:request:propose_date"
    REQUEST_AGREE_DATE = "exchanges:request:agree_date"
    REQUEST_REFUSE_DATE = "exchanges:request:refuse_date"
    REQUEST_REFER = "exchanges:request:refer"
    REQUEST_NOTE = "exchanges:request:note"
    REQUEST_ATTACH = "exchanges:request:attach"
    REQUEST_COMMENT = "exchanges:request:comment"
    REQUEST_REMIND = "exchanges:request:remind"
    # Alerts: reading one, composing one, editing a draft, and one permission per action of
    # the alert workflow; their checks are registered by ``openimi.alerts.permissions``.
    ALERT_VIEW = "alerts:alert:view"
    ALERT_CREATE = "alerts:alert:create"
    ALERT_EDIT_DRAFT = "alerts:alert:edit_draft"
    ALERT_SUBMIT = "alerts:alert:submit"
    ALERT_VALIDATE = "alerts:alert:validate"
    ALERT_RETURN = "alerts:alert:return"
    ALERT_FORWARD = "alerts:alert:forward"
    ALERT_ACKNOWLEDGE = "alerts:alert:acknowledge"
    ALERT_RECTIFY = "alerts:alert:rectify"
    ALERT_FOLLOW_UP = "alerts:alert:follow_up"
    ALERT_PROPOSE_CLOSURE = "alerts:alert:propose_closure"
    ALERT_CLOSE = "alerts:alert:close"
    ALERT_WITHDRAW = "alerts:alert:withdraw"


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


Grants = dict[int, set[tuple[str, str | None]]]


class Access:
    """What one user may do, loaded once per HTTP request or API call and asked in memory.

    ``roles`` is ``{authority id: {(role, legal area or None)}}``, counting only the roles the
    authority's status allows (all while active, see :data:`REGISTERING`): one query.
    ``scopes`` are the coordinator functions the user exercises as local administrator of a
    coordinator authority: no query for anyone else, one (plus its prefetches) for them, made
    on first use. ``covering(authority)`` is kept per authority for the rest of the request."""

    __slots__ = ("user", "roles", "_scopes", "_alert_scopes", "_covering")

    def __init__(self, user: Any, roles: Grants, scopes: list[Scope] | None = None) -> None:
        self.user = user
        self.roles = roles
        self._scopes = scopes
        self._alert_scopes: list[Scope] | None = [] if scopes is not None else None
        self._covering: dict[int, list[Scope]] = {}

    @classmethod
    def load(cls, user: Any) -> "Access":
        """The access context of ``user`` (anonymous or inactive: holds nothing)."""
        if not getattr(user, "is_authenticated", False):
            return cls(user, {}, [])
        roles: Grants = {}
        grants = RoleGrant.objects.filter(
            Q(membership__authority__status=AuthorityStatus.ACTIVE)
            | Q(membership__authority__status__in=REGISTERING, role=Role.LOCAL_ADMIN),
            membership__user=user,
        ).values_list("membership__authority_id", "role", "legal_area_id")
        for authority_id, role, area in grants:
            roles.setdefault(authority_id, set()).add((role, area))
        return cls(user, roles)

    @property
    def is_active(self) -> bool:
        return bool(getattr(self.user, "is_authenticated", False) and self.user.is_active)

    def has_role(self, authority_id: int | None, role: str, legal_area: str | None = None) -> bool:
        grants = self.roles.get(authority_id, set()) if authority_id is not None else set()
        return (role, None) in grants or (legal_area is not None and (role, legal_area) in grants)

    def is_member(self, authority_id: int | None) -> bool:
        return authority_id in self.roles

    @property
    def admin_authority_ids(self) -> list[int]:
        """The authorities whose local administrator the user is."""
        return [a for a, grants in self.roles.items() if (Role.LOCAL_ADMIN, None) in grants]

    @property
    def scopes(self) -> list[Scope]:
        """Coordinator scopes the user exercises (as local administrator of a coordinator authority)."""
        if self._scopes is None:
            self._load_scopes()
        return self._scopes or []

    @property
    def alert_scopes(self) -> list[Scope]:
        """The alert coordinator functions (outgoing, incoming) the user exercises: loaded
        with :attr:`scopes`, by the same query, and never counted among them."""
        if self._alert_scopes is None:
            self._load_scopes()
        return self._alert_scopes or []

    def _load_scopes(self) -> None:
        admin_of = self.admin_authority_ids
        functions = (
            CoordinatorFunction.objects.filter(
                authority_id__in=admin_of, authority__status=AuthorityStatus.ACTIVE
            ).prefetch_related("legal_areas", "regions__children__children")
            if admin_of
            else []
        )
        loaded = [_scope_of(function) for function in functions]
        self._scopes = [s for s in loaded if s.kind not in ALERT_KINDS]
        self._alert_scopes = [s for s in loaded if s.kind in ALERT_KINDS]

    def covering(self, authority: Any) -> list[Scope]:
        """The user's coordinator scopes that cover ``authority``. An authority's regions and
        areas are read only when the user coordinates in its country, and once per request."""
        scopes = [s for s in self.scopes if s.country == authority.country_id]
        if not scopes:
            return []
        if authority.pk is None:  # an authority being registered: nothing to keep
            return _covering(scopes, authority)
        if authority.pk not in self._covering:
            self._covering[authority.pk] = _covering(scopes, authority)
        return self._covering[authority.pk]

    def may(self, perm: Perm, obj: Any = None) -> bool:
        """True when the user may do ``perm`` on ``obj`` (an Authority, a request, or None)."""
        return self.is_active and _CHECKS[perm](self, obj)

    def require(self, perm: Perm, obj: Any = None) -> None:
        """Raise PermissionDenied with a readable message unless :meth:`may`."""
        if not self.may(perm, obj):
            raise PermissionDenied(_("You are not allowed to do this."))


def access_of(who: Any) -> Access:
    """The access context of ``who``: itself if it is one, else the one attached to the user
    (by the middleware or the token authentication), built once on first use if there is none."""
    if isinstance(who, Access):
        return who
    access = getattr(who, "_access", None)
    if access is None:
        access = Access.load(who)
        try:
            who._access = access
        except AttributeError:  # an object that takes no attributes: not kept
            pass
    return access


class AccessMiddleware:
    """Gives every page ``request.access``, loaded at most once for the request."""

    def __init__(self, get_response: Callable[[Any], Any]) -> None:
        self.get_response = get_response

    def __call__(self, request: Any) -> Any:
        request.access = SimpleLazyObject(lambda: access_of(request.user))
        return self.get_response(request)


def roles_of(who: Any) -> Grants:
    """``{authority id: {(role, legal area or None)}}`` for the user's authorities, counting only
    the roles their authority's status allows (all while active, see :data:`REGISTERING`)."""
    return access_of(who).roles


def has_role(who: Any, authority_id: int | None, role: str, legal_area: str | None = None) -> bool:
    return access_of(who).has_role(authority_id, role, legal_area)


def scopes_of(who: Any) -> list[Scope]:
    """Coordinator scopes the user exercises (as local administrator of a coordinator authority)."""
    return access_of(who).scopes


def scopes_covering(who: Any, authority: Any) -> list[Scope]:
    """The user's coordinator scopes that cover ``authority`` (see :meth:`Access.covering`)."""
    return access_of(who).covering(authority)


def admin_authority_ids(who: Any) -> list[int]:
    """The authorities whose local administrator ``who`` is."""
    return access_of(who).admin_authority_ids


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


def has_perm(who: Any, perm: Perm, obj: Any = None) -> bool:
    """True when ``who`` (a user or an :class:`Access`) may do ``perm`` on ``obj`` (an
    Authority, an information request, or None for global actions)."""
    return access_of(who).may(perm, obj)


def require(who: Any, perm: Perm, obj: Any = None) -> None:
    """Raise PermissionDenied with a readable message unless ``has_perm``."""
    access_of(who).require(perm, obj)


Check = Callable[[Access, Any], bool]


def register(checks: dict[Perm, Check]) -> None:
    """Add the checks of permissions whose objects belong to a higher app (information
    requests): that app registers them when it is imported, so this module needs none of it."""
    _CHECKS.update(checks)


def _is_local_admin(access: Access, authority) -> bool:
    return access.has_role(authority.pk, Role.LOCAL_ADMIN)


def _view(access: Access, authority) -> bool:
    return authority.is_listed or access.is_member(authority.pk) or bool(access.covering(authority))


def _view_private(access: Access, authority) -> bool:
    return _is_local_admin(access, authority) or bool(access.covering(authority))


def _coordinates(access: Access, authority) -> bool:
    return bool(access.covering(authority))


def _is_coordinator(access: Access, _obj) -> bool:
    return bool(access.scopes)


def _is_national_coordinator(access: Access, _obj) -> bool:
    return any(s.kind == "national" for s in access.scopes)


def _is_operator(access: Access, _obj) -> bool:
    return bool(access.user.is_operator)


def _token_issue(access: Access, authority) -> bool:
    return access.is_member(authority.pk) and authority.is_listed


_CHECKS: dict[Perm, Check] = {
    Perm.AUTHORITY_VIEW: _view,
    Perm.AUTHORITY_VIEW_PRIVATE: _view_private,
    Perm.AUTHORITY_EDIT: lambda a, o: _is_local_admin(a, o) or _coordinates(a, o),
    Perm.AUTHORITY_REGISTER: _is_coordinator,
    Perm.AUTHORITY_VALIDATE: _coordinates,
    Perm.AUTHORITY_SUSPEND: _coordinates,
    Perm.AUTHORITY_GRANT_AREA: _coordinates,
    Perm.AUTHORITY_IMPORT: _is_coordinator,
    Perm.COORDINATOR_APPOINT_NATIONAL: _is_operator,
    Perm.COORDINATOR_APPOINT_DELEGATED: _is_national_coordinator,
    Perm.MEMBER_MANAGE: lambda a, o: _is_local_admin(a, o) or _coordinates(a, o),
    Perm.TOKEN_ISSUE: _token_issue,
    # Data-subject requests are answered by the authority that holds the data.
    Perm.SUBJECT_REQUEST_MANAGE: _is_local_admin,
    # The operator keeps reference data and sees counts of the network, never its content.
    Perm.REFERENCE_MANAGE: _is_operator,
    Perm.NETWORK_STATISTICS_VIEW: _is_operator,
}
