"""Who stands where in a request, expressed through the one vocabulary of
:class:`openimi.directory.permissions.Perm`: the ``exchanges:request:*`` permissions and the
one function that checks them against an access context and a request.

Every action of the table (``workflow.ACTIONS``) names its permission in ``who``; which side of
the request that permission belongs to is :data:`SIDES` below, its roles are the table's.
Services (to refuse), pages (to show buttons) and the API (to validate) all ask
``has_perm(user, Perm.…, request)`` or the workflow core built on it, so the three always
agree. Everything here is answered in memory from the access context
(:class:`~openimi.directory.permissions.Access`), loaded once per HTTP request or API call."""

from enum import StrEnum
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from openimi.accounts.models import Role
from openimi.directory.permissions import Access, Check, Perm, Scope, access_of, has_perm, register
from openimi.exchanges.models import InformationRequest, State
from openimi.exchanges.workflow import ACTIONS, Action, RequestChanged
from openimi.lib.workflow import Workflow

VIEW_ROLES = tuple(Role)
# Not sent yet: the responder must not learn that the request exists (a coordinator may still
# return a request awaiting approval to the sender, who may change or drop it).
NOT_SENT = frozenset({State.DRAFT, State.AWAITING_APPROVAL})
# The same rule for querysets (inbox, counts, search, data-subject searches).
REACHED_RESPONDER = Q(sent_at__isnull=False) & ~Q(state__in=NOT_SENT)


class Side(StrEnum):
    """Where a user stands relative to a request (read only by the checks below)."""

    REQUESTER = "requester"  # a member of the requesting authority
    RESPONDER = "responder"  # a member of the responding authority
    PARTICIPANT = "participant"  # either of the two
    SENDER_COORDINATOR = "sender_coordinator"  # a coordinator whose scope covers the requester
    COORDINATOR = "coordinator"  # a coordinator whose scope covers either authority


# The side each action's permission belongs to; the roles it needs are the table's.
SIDES: dict[str, Side] = {
    Perm.REQUEST_SEND: Side.REQUESTER,
    Perm.REQUEST_APPROVE: Side.SENDER_COORDINATOR,
    Perm.REQUEST_REJECT: Side.SENDER_COORDINATOR,
    Perm.REQUEST_ACCEPT: Side.RESPONDER,
    Perm.REQUEST_FORWARD: Side.RESPONDER,
    Perm.REQUEST_ALLOCATE: Side.RESPONDER,
    Perm.REQUEST_ASK_CLARIFICATION: Side.RESPONDER,
    Perm.REQUEST_GIVE_CLARIFICATION: Side.REQUESTER,
    Perm.REQUEST_ANSWER: Side.RESPONDER,
    Perm.REQUEST_ACCEPT_ANSWER: Side.REQUESTER,
    Perm.REQUEST_ASK_FURTHER: Side.REQUESTER,
    Perm.REQUEST_WITHDRAW: Side.REQUESTER,
    Perm.REQUEST_PROPOSE_DATE: Side.RESPONDER,
    Perm.REQUEST_AGREE_DATE: Side.REQUESTER,
    Perm.REQUEST_REFUSE_DATE: Side.REQUESTER,
    Perm.REQUEST_REFER: Side.PARTICIPANT,
    Perm.REQUEST_NOTE: Side.PARTICIPANT,
    Perm.REQUEST_ATTACH: Side.PARTICIPANT,
    Perm.REQUEST_COMMENT: Side.COORDINATOR,
    Perm.REQUEST_REMIND: Side.COORDINATOR,
}
_ACTION_OF: dict[str, Action] = {a.who: a for a in ACTIONS.values()}


def reached_responder(request: InformationRequest) -> bool:
    """A request reaches the responder only once it is sent: a draft withdrawn before sending
    keeps ``sent_at`` empty and never does."""
    return request.sent_at is not None and request.state not in NOT_SENT


def reason_required(request: InformationRequest, spec: Action) -> bool:
    """Whether the confirmation page of ``spec`` requires the reason the other side reads:
    an action that asks for one (``asks_reason``), where the text is required anyway or the
    request has reached the responder (a draft withdrawn before sending needs none)."""
    return spec.asks_reason and (spec.needs_text or reached_responder(request))


def _member_with_role(access: Access, authority_id, area: str, roles) -> bool:
    return any(access.has_role(authority_id, role, area) for role in roles)


def _on_side(access: Access, authority_id, request: InformationRequest) -> bool:
    return bool(authority_id) and _member_with_role(access, authority_id, request.legal_area_id, VIEW_ROLES)


def is_requester_member(user, request: InformationRequest) -> bool:
    """A member of the requesting authority with any role in the request's legal area."""
    access = access_of(user)
    return access.is_member(request.requester_id) and _on_side(access, request.requester_id, request)


def is_responder_member(user, request: InformationRequest) -> bool:
    """A member of the responding authority with any role in the legal area, once the
    request has reached it."""
    access = access_of(user)
    return (
        reached_responder(request)
        and access.is_member(request.responder_id)
        and _on_side(access, request.responder_id, request)
    )


def is_participant(user, request: InformationRequest) -> bool:
    """Members of either authority with any role in the request's legal area (the responder's
    only once the request is sent)."""
    return is_requester_member(user, request) or is_responder_member(user, request)


def involved_coordinator(user, request: InformationRequest) -> bool:
    """A coordinator sees a request only while involved: referred to it, asked to approve it,
    or alerted because it is overdue."""
    access = access_of(user)
    if not access.scopes:
        return False
    if request.referred_to_id and request.referred_to_id in {s.authority_id for s in _scopes(access, request)}:
        return True
    if request.state == State.AWAITING_APPROVAL and access.covering(request.requester):
        return True
    return bool(request.escalated_at and request.responder_id and access.covering(request.responder))


def _scopes(access: Access, request) -> list[Scope]:
    if not access.scopes:
        return []
    scopes = list(access.covering(request.requester))
    if request.responder_id:
        scopes += access.covering(request.responder)
    return scopes


def can_view(user, request: InformationRequest) -> bool:
    return is_participant(user, request) or involved_coordinator(user, request)


def _sides(access: Access, request: InformationRequest) -> set[Side]:
    sides = set()
    if access.is_member(request.requester_id):
        sides |= {Side.REQUESTER, Side.PARTICIPANT}
    if access.is_member(request.responder_id) and reached_responder(request):
        sides |= {Side.RESPONDER, Side.PARTICIPANT}
    if access.scopes:
        if request.state == State.AWAITING_APPROVAL and access.covering(request.requester):
            sides.add(Side.SENDER_COORDINATOR)
        if involved_coordinator(access, request):
            sides.add(Side.COORDINATOR)
    return sides


def acting_authority_id(user, request: InformationRequest, action: Action) -> int | None:
    """The authority on whose behalf ``user`` takes ``action`` on ``request``."""
    access = access_of(user)
    side = SIDES[action.who]
    if side == Side.REQUESTER or (side == Side.PARTICIPANT and access.is_member(request.requester_id)):
        return request.requester_id
    if side in (Side.RESPONDER, Side.PARTICIPANT):
        return request.responder_id
    scopes = access.covering(request.requester) if side == Side.SENDER_COORDINATOR else _scopes(access, request)
    return scopes[0].authority_id if scopes else None


def _may_act(access: Access, request: InformationRequest, perm: str) -> bool:
    """The one check of an action's permission: the actor stands on the action's side and
    holds one of its roles (for the authority on whose behalf they act) in the legal area."""
    action = _ACTION_OF[perm]
    if SIDES[perm] not in _sides(access, request):
        return False
    if not action.roles:
        return True
    authority_id = acting_authority_id(access, request, action)
    return _member_with_role(access, authority_id, request.legal_area_id, action.roles)


def _acting_areas(user, perm: Perm) -> dict[int, set[str | None]]:
    """``{authority id: legal areas (None: all)}`` where ``user`` holds the roles the action
    table gives ``perm``: the role half of :func:`_may_act`, for lists and counts."""
    action = _ACTION_OF[perm]
    out = {}
    for authority_id, grants in access_of(user).roles.items():
        areas = {area for role, area in grants if not action.roles or role in action.roles}
        if areas:
            out[authority_id] = areas
    return out


def acting_authority_ids(user, perm: Perm) -> list[int]:
    """The authorities on whose behalf ``user``'s roles allow ``perm`` in some legal area
    (for example where they may send requests)."""
    return list(_acting_areas(user, perm))


def may_act_filter(user, perm: Perm) -> Q | None:
    """The requests on which ``user``'s roles allow ``perm`` — a requester's or responder's
    action — as a queryset filter, for counting work to do: the same rule as :func:`_may_act`
    (the acting authority's roles in the request's legal area), without the state, which the
    caller filters on. None when the user holds the action's roles in no authority: the page
    then offers nothing to do."""
    field = {Side.REQUESTER: "requester_id", Side.RESPONDER: "responder_id"}[SIDES[perm]]
    query = None
    for authority_id, areas in _acting_areas(user, perm).items():
        part = Q(**{field: authority_id})
        if None not in areas:
            part &= Q(legal_area_id__in=areas)
        query = part if query is None else query | part
    return query


def _may_edit_draft(access: Access, request: InformationRequest) -> bool:
    return request.state == State.DRAFT and access.has_role(
        request.requester_id, Role.REQUEST_HANDLER, request.legal_area_id
    )


def _action_check(perm: str) -> Check:
    return lambda access, request: _may_act(access, request, perm)


register(
    {
        Perm.REQUEST_VIEW: can_view,
        # Drafts are edited (outside the action table: editing is not a step of the workflow)
        # by request handlers of the requesting authority in the request's legal area.
        Perm.REQUEST_EDIT_DRAFT: _may_edit_draft,
        **{Perm(perm): _action_check(perm) for perm in SIDES},
    }
)


def _condition(request: InformationRequest, action: Action) -> bool:
    """Conditions of an action beyond its states: a date can only be agreed once proposed."""
    if action.name in ("agree_date", "refuse_date"):
        return request.proposed_reply_by is not None
    return True


def _may(user, request: InformationRequest, action: Action) -> bool:
    return has_perm(user, Perm(action.who), request)


def _wrong_state(request: InformationRequest) -> str:
    return _("This is not possible while the request is “%(state)s”.") % {"state": request.get_state_display()}


# The information-request workflow on the shared core; its handlers are bound in services.
REQUESTS: Workflow[InformationRequest] = Workflow(
    model=InformationRequest,
    transitions=ACTIONS.values(),
    may=_may,
    condition=_condition,
    context=acting_authority_id,
    wrong_state=_wrong_state,
    not_allowed=_lazy("You are not allowed to do this on this request."),
    version_field="version",
    changed=RequestChanged,
)

if set(_ACTION_OF) != set(SIDES):  # checked at import, as the handlers are
    _wrong = sorted(set(_ACTION_OF) ^ set(SIDES))
    raise ImproperlyConfigured(f"every request action's permission needs a side: {_wrong}")


def available_actions(user, request: InformationRequest) -> list[Action]:
    """The actions ``user`` may take now, in the table's order (drives buttons and tests)."""
    return REQUESTS.available(user, request)


def viewer_authority_id(user, request: InformationRequest) -> int | None:
    """The authority on whose behalf ``user`` reads ``request`` (for the audit log)."""
    if is_requester_member(user, request):
        return request.requester_id
    if is_responder_member(user, request):
        return request.responder_id
    scopes = _scopes(access_of(user), request)
    return scopes[0].authority_id if scopes else None


def may_edit_draft(user: Any, request: InformationRequest) -> bool:
    """Drafts are edited by request handlers of the requesting authority in its legal area."""
    return has_perm(user, Perm.REQUEST_EDIT_DRAFT, request)
