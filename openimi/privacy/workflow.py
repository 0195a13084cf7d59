"""A data-subject request's life cycle on the shared workflow core: recorded open, completed
once answered (with its outcome). ``who`` names the permission the action needs."""

from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy

from openimi.directory.permissions import Perm, has_perm
from openimi.lib.workflow import Transition, Workflow
from openimi.privacy.models import SubjectRequest

SUBJECT_REQUEST_ACTIONS = [
    Transition(
        "complete",
        pgettext_lazy("action", "Mark as answered"),
        frozenset({SubjectRequest.Status.OPEN}),
        SubjectRequest.Status.COMPLETED,
        Perm.SUBJECT_REQUEST_MANAGE,
        needs_text=True,
    ),
]


def _may(user, subject_request: SubjectRequest, action: Transition) -> bool:
    return has_perm(user, Perm(action.who), subject_request.authority)


def _wrong_state(subject_request: SubjectRequest) -> str:
    return _("This data-subject request is already completed.")


# Handlers are bound in privacy.services.
SUBJECT_REQUESTS: Workflow[SubjectRequest] = Workflow(
    model=SubjectRequest,
    transitions=SUBJECT_REQUEST_ACTIONS,
    may=_may,
    wrong_state=_wrong_state,
    state_field="status",
)
