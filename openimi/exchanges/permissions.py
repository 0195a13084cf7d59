"""Who stands where in a request: the sides a user takes, and the actions open to them.

Read by services (to refuse), pages (to show buttons) and the API (to validate), so the three
always agree. Built on :mod:`openimi.directory.permissions` for roles and coordinator scopes."""

from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from openimi.accounts.models import Role
from openimi.directory.permissions import has_role, roles_of, scopes_covering
from openimi.exchanges.models import InformationRequest, State
from openimi.exchanges.workflow import ACTIONS, Action, RequestChanged, Side
from openimi.lib.workflow import Workflow

VIEW_ROLES = tuple(Role)
# Not sent yet: the responder must not learn that the request exists (a coordinator may still
# return a request awaiting approval to the sender, who may change or drop it).
NOT_SENT = frozenset({State.DRAFT, State.AWAITING_APPROVAL})
# The same rule for querysets (inbox, counts, search, data-subject searches).
REACHED_RESPONDER = Q(sent_at__isnull=False) & ~Q(state__in=NOT_SENT)


def reached_responder(request: InformationRequest) -> bool:
    """A request reaches the responder only once it is sent: a draft withdrawn before sending
    keeps ``sent_at`` empty and never does."""
    return request.sent_at is not None and request.state not in NOT_SENT


def _member_with_role(user, authority_id, area: str, roles) -> bool:
    return any(has_role(user, authority_id, role, area) for role in roles)


def _on_side(user, authority_id, request: InformationRequest) -> bool:
    return bool(authority_id) and _member_with_role(user, authority_id, request.legal_area_id, VIEW_ROLES)


def is_requester_member(user, request: InformationRequest) -> bool:
    """A member of the requesting authority with any role in the request's legal area."""
    return request.requester_id in roles_of(user) and _on_side(user, request.requester_id, request)


def is_responder_member(user, request: InformationRequest) -> bool:
    """A member of the responding authority with any role in the legal area, once the
    request has reached it."""
    return (
        reached_responder(request)
        and request.responder_id in roles_of(user)
        and _on_side(user, request.responder_id, request)
    )


def is_participant(user, request: InformationRequest) -> bool:
    """Members of either authority with any role in the request's legal area (the responder's
    only once the request is sent)."""
    return is_requester_member(user, request) or is_responder_member(user, request)


def involved_coordinator(user, request: InformationRequest) -> bool:
    """A coordinator sees a request only while involved: referred to it, asked to approve it,
    or alerted because it is overdue."""
    if request.referred_to_id and request.referred_to_id in {s.authority_id for s in _scopes(user, request)}:
        return True
    if request.state == State.AWAITING_APPROVAL and scopes_covering(user, request.requester):
        return True
    return bool(request.escalated_at and request.responder_id and scopes_covering(user, request.responder))


def _scopes(user, request):
    scopes = list(scopes_covering(user, request.requester))
    if request.responder_id:
        scopes += scopes_covering(user, request.responder)
    return scopes


def can_view(user, request: InformationRequest) -> bool:
    return is_participant(user, request) or involved_coordinator(user, request)


def sides_of(user, request: InformationRequest) -> set[Side]:
    sides = set()
    mine = roles_of(user)
    if request.requester_id in mine:
        sides |= {Side.REQUESTER, Side.PARTICIPANT}
    if request.responder_id in mine and reached_responder(request):
        sides |= {Side.RESPONDER, Side.PARTICIPANT}
    if request.state == State.AWAITING_APPROVAL and scopes_covering(user, request.requester):
        sides.add(Side.SENDER_COORDINATOR)
    if involved_coordinator(user, request):
        sides.add(Side.COORDINATOR)
    return sides


def acting_authority_id(user, request: InformationRequest, action: Action) -> int | None:
    """The authority on whose behalf ``user`` takes ``action`` on ``request``."""
    mine = roles_of(user)
    if action.who == Side.REQUESTER or (action.who == Side.PARTICIPANT and request.requester_id in mine):
        return request.requester_id
    if action.who in (Side.RESPONDER, Side.PARTICIPANT):
        return request.responder_id
    scopes = (
        scopes_covering(user, request.requester) if action.who == Side.SENDER_COORDINATOR else _scopes(user, request)
    )
    return scopes[0].authority_id if scopes else None


def _has_roles(user, request, action: Action) -> bool:
    if not action.roles:
        return True
    authority_id = acting_authority_id(user, request, action)
    return _member_with_role(user, authority_id, request.legal_area_id, action.roles)


def _condition(request: InformationRequest, action: Action) -> bool:
    """Conditions of an action beyond its states: a date can only be agreed once proposed."""
    if action.name in ("agree_date", "refuse_date"):
        return request.proposed_reply_by is not None
    return True


def _may(user, request: InformationRequest, action: Action) -> bool:
    return action.who in sides_of(user, request) and _has_roles(user, request, action)


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


def available_actions(user, request: InformationRequest) -> list[Action]:
    """The actions ``user`` may take now, in the table's order (drives buttons and tests)."""
    return REQUESTS.available(user, request)


def viewer_authority_id(user, request: InformationRequest) -> int | None:
    """The authority on whose behalf ``user`` reads ``request`` (for the audit log)."""
    if is_requester_member(user, request):
        return request.requester_id
    if is_responder_member(user, request):
        return request.responder_id
    scopes = _scopes(user, request)
    return scopes[0].authority_id if scopes else None


def may_edit_draft(user, request: InformationRequest) -> bool:
    """Drafts are edited (outside the action table: editing is not a step of the workflow)
    by request handlers of the requesting authority in the request's legal area."""
    return request.state == State.DRAFT and has_role(
        user, request.requester_id, Role.REQUEST_HANDLER, request.legal_area_id
    )
