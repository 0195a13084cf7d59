"""The information-request workflow, declared once as data (rows of the shared core's
:class:`openimi.lib.workflow.Transition`).

Every action says from which states it may be taken, to which state it leads (``None``: the
state stays), the permission it needs (``who``, a :class:`~openimi.directory.permissions.Perm`:
which side of the request takes it is that permission's rule, in ``permissions.py``) with
which roles, and what it needs. The core applies
this table (``permissions.REQUESTS``, handlers bound in services); pages show buttons from it;
the API validates against it; tests walk it.
"""

from enum import StrEnum

from django.utils.translation import gettext_lazy, pgettext_lazy

from openimi.accounts.models import Role
from openimi.directory.permissions import Perm
from openimi.exchanges.models import State
from openimi.lib.workflow import Changed, Transition


class RequestChanged(Changed):
    """Someone else acted on the request first; the caller must reload it."""


# A row of the table: the core's Transition, whose ``who`` is the Perm the action needs.
Action = Transition


HANDLER = frozenset({Role.REQUEST_HANDLER})
HANDLER_OR_ALLOCATOR = frozenset({Role.REQUEST_HANDLER, Role.REQUEST_ALLOCATOR})
WORKING = frozenset({State.SENT, State.ACCEPTED, State.AWAITING_INFORMATION})
OPEN = WORKING | {State.ANSWERED}

ACTIONS: dict[str, Action] = {
    a.name: a
    for a in [
        Action(
            "submit",
            pgettext_lazy("action", "Send request"),
            frozenset({State.DRAFT}),
            State.SENT,
            Perm.REQUEST_SEND,
            HANDLER,
            done=pgettext_lazy("event", "Request sent"),
        ),
        Action(
            "approve",
            pgettext_lazy("action", "Approve and send"),
            frozenset({State.AWAITING_APPROVAL}),
            State.SENT,
            Perm.REQUEST_APPROVE,
            done=pgettext_lazy("event", "Request approved and sent"),
        ),
        Action(
            "reject",
            pgettext_lazy("action", "Return to the sender"),
            frozenset({State.AWAITING_APPROVAL}),
            State.DRAFT,
            Perm.REQUEST_REJECT,
            needs_text=True,
            message_kind="rejection",
            style="warning",
            done=pgettext_lazy("event", "Request returned to the sender"),
        ),
        Action(
            "accept",
            pgettext_lazy("action", "Accept request"),
            frozenset({State.SENT}),
            State.ACCEPTED,
            Perm.REQUEST_ACCEPT,
            HANDLER_OR_ALLOCATOR,
            done=pgettext_lazy("event", "Request accepted"),
        ),
        Action(
            "forward",
            pgettext_lazy("action", "Forward to another authority"),
            frozenset({State.SENT}),
            State.SENT,
            Perm.REQUEST_FORWARD,
            HANDLER_OR_ALLOCATOR,
            needs_text=True,
            message_kind="forward_reason",
            style="secondary",
            done=pgettext_lazy("event", "Request forwarded"),
        ),
        Action(
            "allocate",
            pgettext_lazy("action", "Allocate to a handler"),
            WORKING,
            None,
            Perm.REQUEST_ALLOCATE,
            frozenset({Role.REQUEST_ALLOCATOR}),
            style="secondary",
            done=pgettext_lazy("event", "Request allocated"),
        ),
        Action(
            "request_clarification",
            pgettext_lazy("action", "Ask for clarification"),
            frozenset({State.ACCEPTED}),
            State.AWAITING_INFORMATION,
            Perm.REQUEST_ASK_CLARIFICATION,
            HANDLER,
            needs_text=True,
            message_kind="clarification_request",
            style="secondary",
            done=pgettext_lazy("event", "Clarification asked for"),
        ),
        Action(
            "give_clarification",
            pgettext_lazy("action", "Give clarification"),
            frozenset({State.AWAITING_INFORMATION}),
            State.ACCEPTED,
            Perm.REQUEST_GIVE_CLARIFICATION,
            HANDLER,
            needs_text=True,
            message_kind="clarification",
            done=pgettext_lazy("event", "Clarification given"),
        ),
        Action(
            "answer",
            pgettext_lazy("action", "Send answer"),
            frozenset({State.ACCEPTED}),
            State.ANSWERED,
            Perm.REQUEST_ANSWER,
            HANDLER,
            message_kind="answer",
            button=False,
            done=pgettext_lazy("event", "Answer sent"),
        ),
        Action(
            "accept_answer",
            pgettext_lazy("action", "Accept answer and close"),
            frozenset({State.ANSWERED}),
            State.CLOSED,
            Perm.REQUEST_ACCEPT_ANSWER,
            HANDLER,
            done=pgettext_lazy("event", "Answer accepted and request closed"),
        ),
        Action(
            "ask_further",
            pgettext_lazy("action", "Ask further questions"),
            frozenset({State.ANSWERED}),
            State.ACCEPTED,
            Perm.REQUEST_ASK_FURTHER,
            HANDLER,
            needs_text=True,
            message_kind="further_question",
            style="secondary",
            done=pgettext_lazy("event", "Further questions asked"),
        ),
        Action(
            "withdraw",
            pgettext_lazy("action", "Withdraw request"),
            frozenset({State.DRAFT, State.SENT, State.ACCEPTED}),
            State.WITHDRAWN,
            Perm.REQUEST_WITHDRAW,
            HANDLER,
            style="warning",
            done=pgettext_lazy("event", "Request withdrawn"),
        ),
        Action(
            "propose_date",
            pgettext_lazy("action", "Propose another reply date"),
            WORKING,
            None,
            Perm.REQUEST_PROPOSE_DATE,
            HANDLER_OR_ALLOCATOR,
            message_kind="date_proposal",
            style="secondary",
            done=pgettext_lazy("event", "Another reply date proposed"),
        ),
        Action(
            "agree_date",
            pgettext_lazy("action", "Agree to the proposed date"),
            OPEN,
            None,
            Perm.REQUEST_AGREE_DATE,
            HANDLER,
            style="secondary",
            done=pgettext_lazy("event", "Proposed date agreed"),
        ),
        Action(
            "refuse_date",
            pgettext_lazy("action", "Keep the original date"),
            OPEN,
            None,
            Perm.REQUEST_REFUSE_DATE,
            HANDLER,
            style="secondary",
            done=pgettext_lazy("event", "Original date kept"),
        ),
        Action(
            "refer",
            pgettext_lazy("action", "Refer to my coordinator"),
            OPEN,
            None,
            Perm.REQUEST_REFER,
            HANDLER,
            needs_text=True,
            message_kind="referral",
            style="secondary",
            done=pgettext_lazy("event", "Referred to the coordinator"),
        ),
        Action(
            "note",
            pgettext_lazy("action", "Add an internal note"),
            OPEN | {State.CLOSED, State.DRAFT},
            None,
            Perm.REQUEST_NOTE,
            HANDLER_OR_ALLOCATOR,
            needs_text=True,
            internal=True,
            message_kind="note",
            style="secondary",
            done=pgettext_lazy("event", "Internal note added"),
        ),
        # Uploading is applied by services.attachment_add (it needs the file), not request_act;
        # declared here so that its roles and states are checked like any other action's.
        # Handlers and allocators, as for notes: observers and alert handlers only read.
        # Not while awaiting approval: the coordinator approves the request as it stands.
        Action(
            "attach",
            gettext_lazy("Upload"),  # the upload button's existing label
            OPEN | {State.DRAFT},
            None,
            Perm.REQUEST_ATTACH,
            HANDLER_OR_ALLOCATOR,
            style="secondary",
            button=False,
            own_service=True,
            done=pgettext_lazy("event", "Document attached"),
        ),
        Action(
            "comment",
            pgettext_lazy("action", "Comment as coordinator"),
            OPEN,
            None,
            Perm.REQUEST_COMMENT,
            needs_text=True,
            message_kind="comment",
            style="secondary",
            done=pgettext_lazy("event", "Coordinator commented"),
        ),
        Action(
            "remind",
            pgettext_lazy("action", "Send a reminder"),
            WORKING,
            None,
            Perm.REQUEST_REMIND,
            style="secondary",
            done=pgettext_lazy("event", "Reminder sent"),
        ),
    ]
}

# The action names as an enum, so that the API's action parameter lists them in the OpenAPI
# document (built from the table, so it cannot fall behind it).
ActionName = StrEnum(  # type: ignore[misc]
    "ActionName", {name: name for name, action in ACTIONS.items() if not action.own_service}
)


# Timeline events recorded outside the workflow actions.
EVENT_LABELS = {
    "created": pgettext_lazy("event", "Draft created"),
    "edited": pgettext_lazy("event", "Draft edited"),
    "overdue": pgettext_lazy("event", "Deadline passed"),
    "escalated": pgettext_lazy("event", "Escalated to the coordinators"),
    "attachment_added": pgettext_lazy("event", "Document attached"),
    "personal_data_rectified": pgettext_lazy("event", "Personal data rectified at the person's request"),
    "personal_data_contested": pgettext_lazy("event", "Personal data contested by the person"),
    "personal_data_contest_lifted": pgettext_lazy("event", "Contest mark lifted"),
}


def event_label(action: str) -> str:
    """What a timeline event says happened, in the past tense: a workflow action's ``done``
    label ("Request sent"), or one of :data:`EVENT_LABELS`. The one source for the timeline,
    the audit log and the success banners."""
    spec = ACTIONS.get(action)
    if spec is not None:
        return str(spec.done_label)
    return str(EVENT_LABELS.get(action, action))
