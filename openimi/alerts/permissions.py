"""Who stands where on an alert, in the one vocabulary of
:class:`openimi.directory.permissions.Perm` (the ``alerts:alert:*`` members), registered with
the directory's checks when this module is imported.

The sides: the **sender** (members of the sending authority, with the table's roles in the
alert's legal area); the **outgoing coordinator** (an alert coordinator function of kind
outgoing that covers the sender); the **incoming coordinator** (kind incoming, in a receiving
country); a **recipient** (members of an authority the alert was forwarded to). Roles and
coordinator scopes come from the access context; which countries and authorities an alert
reached are read once per alert object (:func:`standing`) — the selectors load them with the
alert, so that drawing buttons costs no query."""

from enum import StrEnum
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from openimi.accounts.models import Role
from openimi.alerts.models import Alert, AlertDelivery, AlertRecipient, AlertState, DeliveryState
from openimi.alerts.workflow import TRANSITIONS, AlertChanged
from openimi.directory.models import CoordinatorFunction
from openimi.directory.permissions import Access, Check, Perm, Scope, access_of, has_perm, register
from openimi.lib.workflow import Transition, Workflow

VIEW_ROLES = tuple(Role)
OUTGOING, INCOMING = CoordinatorFunction.Kind.ALERT_OUTGOING, CoordinatorFunction.Kind.ALERT_INCOMING
NOT_BROADCAST = frozenset({AlertState.DRAFT, AlertState.AWAITING_VALIDATION})


class Side(StrEnum):
    SENDER = "sender"
    OUTGOING_COORDINATOR = "outgoing_coordinator"
    INCOMING_COORDINATOR = "incoming_coordinator"
    RECIPIENT = "recipient"
    PARTICIPANT = "participant"  # the sender or a recipient


SIDES: dict[str, Side] = {
    Perm.ALERT_SUBMIT: Side.SENDER,
    Perm.ALERT_VALIDATE: Side.OUTGOING_COORDINATOR,
    Perm.ALERT_RETURN: Side.OUTGOING_COORDINATOR,
    Perm.ALERT_FORWARD: Side.INCOMING_COORDINATOR,
    Perm.ALERT_ACKNOWLEDGE: Side.RECIPIENT,
    Perm.ALERT_RECTIFY: Side.SENDER,
    Perm.ALERT_FOLLOW_UP: Side.PARTICIPANT,
    Perm.ALERT_PROPOSE_CLOSURE: Side.SENDER,
    Perm.ALERT_CLOSE: Side.SENDER,
    Perm.ALERT_WITHDRAW: Side.SENDER,
}
_TRANSITION_OF: dict[str, Transition] = {t.who: t for t in TRANSITIONS.values()}


class Standing:
    """Where an alert went, as far as one reader is concerned: its deliveries per country and
    the recipient rows of the reader's authorities ({authority id: acknowledged edition})."""

    __slots__ = ("deliveries", "recipients")

    def __init__(self, deliveries: dict[str, AlertDelivery], recipients: dict[int, int]) -> None:
        self.deliveries = deliveries
        self.recipients = recipients


def standing(access: Access, alert: Alert) -> Standing:
    """The alert's deliveries in the reader's incoming-coordinator countries and its recipient
    rows among the reader's authorities: at most two small queries, once per alert object and
    reader, none for an alert not broadcast yet or for a reader with nothing to look for."""
    cache: dict[int, Standing] = alert.__dict__.setdefault("_standing", {})
    key = id(access)
    if key not in cache:
        deliveries: dict[str, AlertDelivery] = {}
        recipients: dict[int, int] = {}
        if alert.pk and alert.state not in NOT_BROADCAST:
            countries = {
                s.country for s in access.alert_scopes if s.kind == INCOMING and s.allows_area(alert.legal_area_id)
            }
            if countries:
                deliveries = {
                    d.country_id: d for d in AlertDelivery.objects.filter(alert_id=alert.pk, country_id__in=countries)
                }
            if access.roles:
                recipients = dict(
                    AlertRecipient.objects.filter(alert_id=alert.pk, authority_id__in=list(access.roles)).values_list(
                        "authority_id", "acknowledged_edition"
                    )
                )
        cache[key] = Standing(deliveries, recipients)
    return cache[key]


def set_standing(
    access: Access, alert: Alert, deliveries: dict[str, AlertDelivery], recipients: dict[int, int]
) -> None:
    """What a selector that loaded the alert's deliveries and recipient rows already knows."""
    alert.__dict__.setdefault("_standing", {})[id(access)] = Standing(deliveries, recipients)


def _covers_sender(scope: Scope, alert: Alert) -> bool:
    sender = alert.sender
    return (
        scope.kind == OUTGOING
        and scope.country == sender.country_id
        and scope.allows_area(alert.legal_area_id)
        and _region_ok(scope, sender)
    )


def _region_ok(scope: Scope, authority) -> bool:
    return scope.regions is None or (authority.region_id is not None and authority.region_id in scope.regions)


def outgoing_scopes(access: Access, alert: Alert) -> list[Scope]:
    """The reader's outgoing alert coordinator functions that cover the alert's sender."""
    return [s for s in access.alert_scopes if _covers_sender(s, alert)]


def incoming_scopes(access: Access, alert: Alert) -> list[Scope]:
    """The reader's incoming alert coordinator functions in a country the alert reached."""
    if not access.alert_scopes:
        return []
    deliveries = standing(access, alert).deliveries
    return [s for s in access.alert_scopes if s.kind == INCOMING and s.country in deliveries]


def _with_role(access: Access, authority_id: int, alert: Alert, roles) -> bool:
    return any(access.has_role(authority_id, role, alert.legal_area_id) for role in roles)


def is_sender(access: Access, alert: Alert, roles=VIEW_ROLES) -> bool:
    return access.is_member(alert.sender_id) and _with_role(access, alert.sender_id, alert, roles)


def recipient_ids(access: Access, alert: Alert, roles=VIEW_ROLES) -> list[int]:
    """The reader's authorities that received the alert (where the reader holds ``roles``)."""
    if not access.roles or alert.state in NOT_BROADCAST:
        return []
    return [a for a in standing(access, alert).recipients if _with_role(access, a, alert, roles)]


def _sides(access: Access, alert: Alert) -> set[Side]:
    sides: set[Side] = set()
    if access.is_member(alert.sender_id):
        sides |= {Side.SENDER, Side.PARTICIPANT}
    if access.alert_scopes:
        if alert.state != AlertState.DRAFT and outgoing_scopes(access, alert):
            sides.add(Side.OUTGOING_COORDINATOR)
        if incoming_scopes(access, alert):
            sides.add(Side.INCOMING_COORDINATOR)
    if recipient_ids(access, alert):
        sides |= {Side.RECIPIENT, Side.PARTICIPANT}
    return sides


def can_view(access: Access, alert: Alert) -> bool:
    if is_sender(access, alert):
        return True
    if not access.alert_scopes and not access.roles:
        return False
    return bool(_sides(access, alert) - {Side.SENDER, Side.PARTICIPANT}) or bool(recipient_ids(access, alert))


def sees_everything(user: Any, alert: Alert) -> bool:
    """Under 2015/983 Art. 24 an incoming coordinator sees only the profession and the scope
    until the alert is forwarded in its country; everyone else who may see it sees it all."""
    access = access_of(user)
    if is_sender(access, alert) or outgoing_scopes(access, alert) or recipient_ids(access, alert):
        return True
    deliveries = standing(access, alert).deliveries
    return any(deliveries[s.country].state == DeliveryState.FORWARDED for s in incoming_scopes(access, alert))


def acting_authority_id(user: Any, alert: Alert, transition: Transition) -> int | None:
    """The authority on whose behalf ``user`` takes ``transition``."""
    access = access_of(user)
    side = SIDES[transition.who]
    if side == Side.SENDER or (side == Side.PARTICIPANT and is_sender(access, alert, transition.roles or VIEW_ROLES)):
        return alert.sender_id
    if side in (Side.RECIPIENT, Side.PARTICIPANT):
        ids = recipient_ids(access, alert, transition.roles or VIEW_ROLES)
        return ids[0] if ids else None
    scopes = outgoing_scopes(access, alert) if side == Side.OUTGOING_COORDINATOR else incoming_scopes(access, alert)
    return scopes[0].authority_id if scopes else None


def _may_act(access: Access, alert: Alert, perm: str) -> bool:
    transition = _TRANSITION_OF[perm]
    side = SIDES[perm]
    roles = transition.roles or VIEW_ROLES
    if side == Side.SENDER:
        return is_sender(access, alert, roles)
    if side == Side.OUTGOING_COORDINATOR:
        return bool(outgoing_scopes(access, alert))
    if side == Side.INCOMING_COORDINATOR:
        deliveries = standing(access, alert).deliveries
        return any(deliveries[s.country].state == DeliveryState.RECEIVED for s in incoming_scopes(access, alert))
    if side == Side.RECIPIENT:
        recipients = standing(access, alert).recipients
        return any(recipients[a] < alert.edition for a in recipient_ids(access, alert, roles))
    return is_sender(access, alert, roles) or bool(recipient_ids(access, alert, roles))


def _may_create(access: Access, authority) -> bool:
    """An alert handler of ``authority`` in any legal area (the service checks the alert's)."""
    return any(role == Role.ALERT_HANDLER for role, _area in access.roles.get(authority.pk, set()))


def _may_edit_draft(access: Access, alert: Alert) -> bool:
    return alert.state == AlertState.DRAFT and is_sender(access, alert, (Role.ALERT_HANDLER,))


def _action_check(perm: str) -> Check:
    return lambda access, alert: _may_act(access, alert, perm)


register(
    {
        Perm.ALERT_VIEW: can_view,
        Perm.ALERT_CREATE: _may_create,
        Perm.ALERT_EDIT_DRAFT: _may_edit_draft,
        **{Perm(perm): _action_check(perm) for perm in SIDES},
    }
)

if set(_TRANSITION_OF) != set(SIDES):  # checked at import
    _wrong = sorted(set(_TRANSITION_OF) ^ set(SIDES))
    raise ImproperlyConfigured(f"every alert action's permission needs a side: {_wrong}")


def _may(user: Any, alert: Alert, transition: Transition) -> bool:
    return has_perm(user, Perm(transition.who), alert)


def _wrong_state(alert: Alert) -> str:
    return _("This is not possible while the alert is “%(state)s”.") % {"state": alert.get_state_display()}


# The alert workflow on the shared core; its handlers are bound in services.
ALERTS: Workflow[Alert] = Workflow(
    model=Alert,
    transitions=TRANSITIONS.values(),
    may=_may,
    context=acting_authority_id,
    wrong_state=_wrong_state,
    not_allowed=_lazy("You are not allowed to do this on this alert."),
    version_field="version",
    changed=AlertChanged,
)


def available_actions(user: Any, alert: Alert) -> list[Transition]:
    return ALERTS.available(user, alert)
