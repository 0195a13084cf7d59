"""An authority's status, declared as data on the shared workflow core: a coordinator
validates a self-registered entry, suspends it, and reactivates it. ``who`` names the
permission each action needs (``directory.permissions.Perm``)."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from openimi.directory.models import Authority, AuthorityStatus
from openimi.directory.permissions import Perm, has_perm
from openimi.lib.workflow import Transition, Workflow

STATUS_ACTIONS = [
    Transition(
        "validate",
        pgettext_lazy("action", "Validate and list"),
        frozenset({AuthorityStatus.PENDING}),
        AuthorityStatus.ACTIVE,
        Perm.AUTHORITY_VALIDATE,
    ),
    Transition(
        "suspend",
        pgettext_lazy("action", "Suspend"),
        frozenset({AuthorityStatus.ACTIVE, AuthorityStatus.PENDING}),
        AuthorityStatus.SUSPENDED,
        Perm.AUTHORITY_SUSPEND,
        needs_text=True,
        style="warning",
        confirm=True,
        asks_reason=True,
        consequence=gettext_lazy(
            "The authority is no longer listed in the directory and its users can no longer work for it, until a"
            " coordinator reactivates it. Your reason is recorded in its history."
        ),
    ),
    Transition(
        "reactivate",
        pgettext_lazy("action", "Reactivate"),
        frozenset({AuthorityStatus.SUSPENDED}),
        AuthorityStatus.ACTIVE,
        Perm.AUTHORITY_SUSPEND,
    ),
]


def _may(user, authority: Authority, action: Transition) -> bool:
    return has_perm(user, Perm(action.who), authority)


def _wrong_state(authority: Authority) -> str:
    return _("This is not possible while the authority is “%(status)s”.") % {"status": authority.get_status_display()}


# Handlers are bound in directory.services.
AUTHORITY_STATUS: Workflow[Authority] = Workflow(
    model=Authority, transitions=STATUS_ACTIONS, may=_may, wrong_state=_wrong_state, state_field="status"
)
