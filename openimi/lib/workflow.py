"""The one workflow core: a stateful object's actions declared once as data, applied by one
function.

A workflow is a table of :class:`Transition` rows (from which states, to which state, who may,
what input it needs) plus one handler per row. :meth:`Workflow.apply` is the only way to take
an action: it locks the row, refuses a stale version, checks the table and the permission
callback, runs the handler, saves the new state and records the event (the workflow's
``record`` callback, which writes its event row and the audit entry in the same transaction).
Pages show buttons from :meth:`Workflow.available`, the API validates against the same table,
and tests walk it. Information requests, authority status and data-subject requests use it;
see docs/architecture.md, "Adding a workflow".
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from django.core.exceptions import ImproperlyConfigured, PermissionDenied, ValidationError
from django.db import models, transaction
from django.http import Http404
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

M = TypeVar("M", bound=models.Model)


class Changed(Exception):  # noqa: N818 - the name says what happened, as Django's own exceptions do
    """Someone else acted on the object first (its version moved on); the caller must reload."""

    def __init__(self) -> None:
        super().__init__(_("This request has just been changed by someone else. Reload it and try again."))


@dataclass(frozen=True)
class Transition:
    """One row of a workflow table. ``to_state`` None keeps the state (a note, a reminder).
    ``who`` and ``roles`` are read by the workflow's own permission callback (a side of an
    exchange, a permission name); ``needs_text`` makes the text input required."""

    name: str
    label: Promise
    from_states: frozenset[str]
    to_state: str | None
    who: str = ""
    roles: frozenset[str] = frozenset()
    needs_text: bool = False
    internal: bool = False  # its event and text are shown only to the actor's own organisation
    button: bool = True  # False: the action has a form of its own on the page, not a button
    # Applied by a service of its own (it needs more than the table's inputs, e.g. a file),
    # never by Workflow.apply; declared so that its states and roles are checked the same way.
    own_service: bool = False
    message_kind: str = ""
    style: str = ""  # "warning" for destructive buttons, "secondary" for minor ones
    # What happened, in the past tense ("Request sent"): the timeline's and the audit log's
    # event, and the success banner. The label is the command on the button.
    done: Promise | None = None

    @property
    def done_label(self) -> Promise:
        return self.done or self.label


Handler = Callable[[Any, Any, Transition, dict[str, Any]], str | None]
May = Callable[[Any, Any, Transition], bool]
Condition = Callable[[Any, Transition], bool]
Record = Callable[[Any, Any, Transition, str, str, dict[str, Any], Any], None]
Context = Callable[[Any, Any, Transition], Any]


@dataclass(frozen=True)
class Outcome(Generic[M]):
    """What :meth:`Workflow.apply` did: the locked, saved object and the states it moved between."""

    obj: M
    from_state: str
    to_state: str


class Workflow(Generic[M]):
    """A table of transitions over ``model``'s ``state_field``, its handlers and its rules.
    ``wrong_state(obj)`` is the message for an action its current state does not allow."""

    def __init__(
        self,
        *,
        model: type[M],
        transitions: Iterable[Transition],
        may: May,
        condition: Condition | None = None,
        context: Context | None = None,
        wrong_state: Callable[[M], str],
        not_allowed: str | Promise = "",
        changed: type[Changed] = Changed,
        state_field: str = "state",
        version_field: str | None = None,
    ) -> None:
        self.model = model
        self.transitions: dict[str, Transition] = {t.name: t for t in transitions}
        self.handlers: dict[str, Handler] = {}
        self.record: Record | None = None
        self.may = may
        self.condition = condition or (lambda _obj, _transition: True)
        # Worked out once the action is allowed and before its handler changes the row (for
        # example on whose behalf the actor acts); handed to ``record``.
        self.context = context or (lambda _actor, _obj, _transition: None)
        self.state_field = state_field
        self.version_field = version_field
        self.wrong_state = wrong_state
        self.changed = changed
        self.not_allowed = not_allowed or _lazy("You are not allowed to do this.")

    def bind(self, *, handlers: dict[str, Handler], record: Record) -> None:
        """Attach the services' handlers (one per transition, checked here, at import time)
        and the callback that records each event. Kept apart from the table so that pages can
        ask what is allowed without importing the services."""
        applied = {name for name, t in self.transitions.items() if not t.own_service}
        if set(handlers) != applied:
            wrong = sorted(applied ^ set(handlers))
            raise ImproperlyConfigured(f"every action of the {self.model.__name__} workflow needs a handler: {wrong}")
        self.handlers, self.record = handlers, record

    def get(self, name: str) -> Transition:
        """The named transition, or a ValidationError on the ``action`` field."""
        transition = self.transitions.get(name)
        if transition is None or transition.own_service:
            raise ValidationError({"action": _("Unknown action.")})
        return transition

    def allowed(self, actor: Any, obj: M, transition: Transition) -> bool:
        return (
            getattr(obj, self.state_field) in transition.from_states
            and self.condition(obj, transition)
            and self.may(actor, obj, transition)
        )

    def available(self, actor: Any, obj: M) -> list[Transition]:
        """The transitions ``actor`` may take now, in the table's order (drives buttons)."""
        if not getattr(actor, "is_authenticated", False):
            return []
        return [t for t in self.transitions.values() if self.allowed(actor, obj, t)]

    def check(self, actor: Any, obj: M, name: str) -> Transition:
        """For a transition applied by its own service, on the locked row: the table's
        states and the permission, with the same refusals as :meth:`apply`."""
        transition = self.transitions[name]
        if not self.allowed(actor, obj, transition):
            self.refuse(actor, obj, transition, stale=False)
        return transition

    def lock(
        self,
        obj: M | int,
        version: int | None = None,
        *,
        related: Iterable[str] = (),
        visible: Callable[[M], bool] | None = None,
    ) -> M:
        """The row (an object or its key), locked for the rest of the transaction; Http404 if
        it does not exist or ``visible`` says the actor may not see it (the same answer for
        both), Changed if ``version`` is stale."""
        pk = obj if isinstance(obj, int) else obj.pk
        # A list, not .get(): the key is unique, and get()'s LIMIT makes PostgreSQL's planner
        # weigh the joined plan for nothing.
        found = list(self.model._default_manager.select_for_update(of=("self",)).select_related(*related).filter(pk=pk))
        if not found or (visible is not None and not visible(found[0])):
            raise Http404
        locked = found[0]
        if version is not None and self.version_field and getattr(locked, self.version_field) != version:
            raise self.changed
        return locked

    def refuse(self, actor: Any, obj: M, transition: Transition, *, stale: bool) -> None:
        """Raise the error that explains why ``transition`` is not allowed now."""
        if stale:
            raise self.changed
        if self.may(actor, obj, transition) and getattr(obj, self.state_field) not in transition.from_states:
            raise ValidationError({self.state_field: self.wrong_state(obj)})
        raise PermissionDenied(self.not_allowed)

    def apply(
        self,
        *,
        actor: Any,
        obj: M | int,
        action: str,
        version: int | None = None,
        payload: dict[str, Any] | None = None,
        related: Iterable[str] = (),
        visible: Callable[[M], bool] | None = None,
    ) -> Outcome[M]:
        """Take ``action`` on ``obj`` in one transaction. Raises ValidationError (unknown action,
        wrong state, bad input naming the field), PermissionDenied, or Changed.

        ``obj`` is the object as the actor last saw it, or only its key: then the one locking
        query reads it, ``visible`` decides whether the actor may see it at all (Http404
        otherwise), and only ``version`` can tell that it changed (an API call, whose client
        sends the version it saw)."""
        if self.record is None:
            raise ImproperlyConfigured(f"the {self.model.__name__} workflow has no handlers bound")
        transition = self.get(action)
        payload = payload or {}
        with transaction.atomic():
            locked = self.lock(obj, version, related=related, visible=visible)
            stale = bool(
                version is None
                and self.version_field
                and not isinstance(obj, int)
                and getattr(locked, self.version_field) != getattr(obj, self.version_field)
            )
            if not self.allowed(actor, locked, transition):
                self.refuse(actor, locked, transition, stale=stale)
            from_state = getattr(locked, self.state_field)
            context = self.context(actor, locked, transition)
            to_state = self.handlers[action](actor, locked, transition, payload) or transition.to_state or from_state
            setattr(locked, self.state_field, to_state)
            if self.version_field:
                setattr(locked, self.version_field, getattr(locked, self.version_field) + 1)
            if hasattr(locked, "updated_at"):
                locked.updated_at = timezone.now()
            locked.save()
            self.record(actor, locked, transition, from_state, to_state, payload, context)
        return Outcome(locked, from_state, to_state)
