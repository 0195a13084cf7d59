"""The alert workflow, declared once as data (rows of the shared core's
:class:`openimi.lib.workflow.Transition`).

draft → (awaiting validation, only where the sender's country has an outgoing alert
coordinator →) broadcast → closure proposed → closed; withdrawn from any step before closing.
Per receiving country (``AlertDelivery``): received → forwarded; per recipient authority
(``AlertRecipient``): acknowledged, again after each rectification. Forwarding, acknowledging,
rectifying and follow-ups keep the alert's state. ``who`` is the Perm the action needs; on
which side of the alert that permission stands is ``alerts/permissions.SIDES``."""

from enum import StrEnum

from django.utils.translation import gettext, gettext_lazy, pgettext_lazy

from openimi.accounts.models import Role
from openimi.alerts.models import OPEN_STATES, AlertState
from openimi.directory.permissions import Perm
from openimi.lib.workflow import Changed, Transition


class AlertChanged(Changed):
    """Someone else acted on the alert first; the caller must reload it."""

    def __init__(self) -> None:
        Exception.__init__(self, gettext("This alert has just been changed by someone else. Reload it and try again."))


HANDLER = frozenset({Role.ALERT_HANDLER})
OPEN = frozenset(OPEN_STATES)

TRANSITIONS: dict[str, Transition] = {
    t.name: t
    for t in [
        Transition(
            "submit",
            pgettext_lazy("action", "Send alert"),
            frozenset({AlertState.DRAFT}),
            None,  # awaiting validation or broadcast: the handler knows which
            Perm.ALERT_SUBMIT,
            HANDLER,
            done=pgettext_lazy("event", "Alert sent"),
            confirm=True,
            consequence=gettext_lazy(
                "The alert goes to your outgoing alert coordinator for validation where there is one, otherwise to"
                " every country concerned at once. It can no longer be edited; you can only rectify or withdraw it."
            ),
        ),
        Transition(
            "validate",
            pgettext_lazy("action", "Validate and broadcast"),
            frozenset({AlertState.AWAITING_VALIDATION}),
            AlertState.BROADCAST,
            Perm.ALERT_VALIDATE,
            done=pgettext_lazy("event", "Alert validated and broadcast"),
            confirm=True,
            consequence=gettext_lazy("The alert goes to every country concerned at once, as it stands."),
        ),
        Transition(
            "return",
            pgettext_lazy("action", "Return to the sender"),
            frozenset({AlertState.AWAITING_VALIDATION}),
            AlertState.DRAFT,
            Perm.ALERT_RETURN,
            needs_text=True,
            style="warning",
            done=pgettext_lazy("event", "Alert returned to the sender"),
            confirm=True,
            asks_reason=True,
            consequence=gettext_lazy("The alert goes back to the sender as a draft, with your reason."),
        ),
        Transition(
            "forward",
            pgettext_lazy("action", "Forward to competent authorities"),
            OPEN,
            None,
            Perm.ALERT_FORWARD,
            button=False,  # a form of its own: the authorities to forward to
            done=pgettext_lazy("event", "Alert forwarded to competent authorities"),
        ),
        Transition(
            "acknowledge",
            pgettext_lazy("action", "Acknowledge receipt"),
            OPEN,
            None,
            Perm.ALERT_ACKNOWLEDGE,
            HANDLER,
            done=pgettext_lazy("event", "Alert acknowledged"),
        ),
        Transition(
            "rectify",
            pgettext_lazy("action", "Rectify alert"),
            OPEN,
            None,
            Perm.ALERT_RECTIFY,
            HANDLER,
            button=False,  # a form of its own: the changed fields
            style="secondary",
            done=pgettext_lazy("event", "Alert rectified"),
        ),
        Transition(
            "follow_up",
            pgettext_lazy("action", "Add a follow-up"),
            OPEN,
            None,
            Perm.ALERT_FOLLOW_UP,
            HANDLER,
            needs_text=True,
            style="secondary",
            done=pgettext_lazy("event", "Follow-up added"),
        ),
        Transition(
            "propose_closure",
            pgettext_lazy("action", "Propose closure"),
            frozenset({AlertState.BROADCAST}),
            AlertState.CLOSURE_PROPOSED,
            Perm.ALERT_PROPOSE_CLOSURE,
            HANDLER,
            style="secondary",
            done=pgettext_lazy("event", "Closure proposed"),
        ),
        Transition(
            "close",
            pgettext_lazy("action", "Close alert"),
            OPEN,
            AlertState.CLOSED,
            Perm.ALERT_CLOSE,
            HANDLER,
            done=pgettext_lazy("event", "Alert closed"),
            confirm=True,
            consequence=gettext_lazy(
                "The alert is closed in every country and cannot be reopened. Its data is kept only for the"
                " retention period."
            ),
        ),
        Transition(
            "withdraw",
            pgettext_lazy("action", "Withdraw alert sent in error"),
            frozenset({AlertState.DRAFT, AlertState.AWAITING_VALIDATION}) | OPEN,
            AlertState.WITHDRAWN,
            Perm.ALERT_WITHDRAW,
            HANDLER,
            needs_text=True,
            style="warning",
            done=pgettext_lazy("event", "Alert withdrawn"),
            confirm=True,
            asks_reason=True,
            consequence=gettext_lazy(
                "The alert is withdrawn everywhere and its personal data is deleted at once. This cannot be undone."
            ),
        ),
    ]
}

# The action names as an enum, for the API's action parameter (built from the table).
ActionName = StrEnum(  # type: ignore[misc]
    "ActionName", {name: name for name, t in TRANSITIONS.items() if not t.own_service}
)

EVENT_LABELS = {
    "created": pgettext_lazy("event", "Draft created"),
    "edited": pgettext_lazy("event", "Draft edited"),
    "broadcast": pgettext_lazy("event", "Alert broadcast"),
}


def event_label(action: str) -> str:
    """What a timeline event says happened: a row's ``done`` label or one of EVENT_LABELS."""
    spec = TRANSITIONS.get(action)
    if spec is not None:
        return str(spec.done_label)
    return str(EVENT_LABELS.get(action, action))
