"""Every change to an alert. One entry point per kind of change:

- :func:`alert_create` / :func:`alert_update_draft` compose a draft;
- :func:`alert_act` applies any action of the workflow table (``workflow.TRANSITIONS``)
  through the shared core (``permissions.ALERTS.apply``): the row locked, a stale version
  refused, the handler below run, and :func:`_record` writing the event row and the audit
  entry in the same transaction.

Notifications go to the outbox grouped per alert: one row per reader and step, written by one
INSERT … SELECT, never one per recipient authority."""

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from openimi.accounts.models import Role, User
from openimi.alerts import kinds
from openimi.alerts.models import (
    Alert,
    AlertDelivery,
    AlertEvent,
    AlertFollowUp,
    AlertKind,
    AlertRecipient,
    AlertState,
    AlertVersion,
    DeliveryState,
)
from openimi.alerts.permissions import ALERTS, INCOMING, OUTGOING, incoming_scopes, recipient_ids, standing
from openimi.alerts.workflow import AlertChanged as AlertChanged  # re-exported: callers catch it here
from openimi.core.models import Country
from openimi.directory.models import Authority, AuthorityStatus, CoordinatorFunction
from openimi.directory.permissions import Perm, access_of, has_perm, require
from openimi.lib import formats
from openimi.lib.text import clean_text, labelled
from openimi.lib.workflow import Transition
from openimi.notifications.models import AlertKind as NoticeKind
from openimi.notifications.services import notify
from openimi.privacy.audit import audit
from openimi.privacy.personal_data import SUBJECT, fields_of

MAX_TEXT = 20_000
# The alert's fields that hold the subject's personal data, as the privacy declaration says.
PERSONAL = frozenset(fields_of("alerts.Alert", SUBJECT))
TEXT_LIMITS = {name: 300 for name in ("activity", "provider_name", "subject_name", "subject_identifiers")} | {
    "profession": 120,
    "deciding_authority": 300,
}


@dataclass
class AlertData:
    """A draft's content: the kind, the countries concerned and the fields of the kind."""

    kind: str
    legal_area: str = ""  # a notice's; the other kinds have theirs (kinds.LEGAL_AREA)
    all_countries: bool = True
    countries: list[str] = field(default_factory=list)
    fields: dict[str, Any] = field(default_factory=dict)


def _clean_fields(kind: str, values: dict[str, Any], errors: dict[str, list[str]]) -> dict[str, Any]:
    """The fields of ``kind`` from ``values``, checked for shape (texts, dates); fields of
    another kind are refused by name."""
    allowed = kinds.FIELDS.get(kind, ())
    cleaned: dict[str, Any] = {}
    for name, value in values.items():
        if name not in allowed:
            errors.setdefault(name, []).append(_("This field does not belong to this kind of alert."))
            continue
        if name in kinds.DATE_FIELDS:
            if value in ("", None):
                cleaned[name] = None
            else:
                try:
                    cleaned[name] = formats.parse_iso_date(value)
                except ValueError:
                    errors.setdefault(name, []).append(_("Enter a real date."))
            continue
        cleaned[name] = clean_text(str(value or ""), name, errors, limit=TEXT_LIMITS.get(name, MAX_TEXT))
    today = timezone.localdate()
    for name in ("decision_date", "subject_birth_date"):
        if cleaned.get(name) and cleaned[name] > today:
            errors.setdefault(name, []).append(_("The date must not be in the future."))
    start, end = cleaned.get("sanction_start_date"), cleaned.get("sanction_end_date")
    if start and end and end < start:
        errors.setdefault("sanction_end_date", []).append(_("The end must not be before the start."))
    return cleaned


def _validate(data: AlertData, sender: Authority) -> tuple[str, dict[str, Any], list[Country]]:
    errors: dict[str, list[str]] = {}
    if data.kind not in AlertKind.values:
        raise ValidationError({"kind": [_("Choose a kind of alert from the list.")]})
    area = kinds.LEGAL_AREA[data.kind] or data.legal_area
    if not area or not sender.area_grants.filter(legal_area_id=area).exists():
        errors["legal_area"] = [_("Your authority has no access to this legal area.")]
    cleaned = _clean_fields(data.kind, data.fields, errors)
    countries: list[Country] = []
    if not data.all_countries:
        codes = list(dict.fromkeys(data.countries))
        countries = list(Country.objects.filter(code__in=codes, is_active=True).exclude(code=sender.country_id))
        if len(countries) != len(codes) or not codes:
            errors["countries"] = [_("Choose the countries concerned among the other countries, or all of them.")]
    if errors:
        raise ValidationError(errors)
    return area, cleaned, countries


def alert_create(*, actor: User, sender: Authority, data: AlertData) -> Alert:
    """Start a draft on behalf of one of the actor's authorities (alert handlers only)."""
    require(actor, Perm.ALERT_CREATE, sender)
    area, cleaned, countries = _validate(data, sender)
    if not access_of(actor).has_role(sender.pk, Role.ALERT_HANDLER, area):
        raise PermissionDenied(_("You need the alert handler role in this legal area."))
    with transaction.atomic():
        alert = Alert(
            kind=data.kind, legal_area_id=area, sender=sender, created_by=actor, all_countries=data.all_countries
        )
        for name, value in cleaned.items():
            setattr(alert, name, value)
        alert.save()
        if countries:
            alert.countries.set(countries)
        _event(alert, actor, sender.pk, "created", "", AlertState.DRAFT, {"fields": sorted(cleaned)})
        audit(actor=actor, action="alert.created", obj=alert, authority_id=sender.pk)
    return alert


def alert_update_draft(*, actor: User, alert: Alert, data: AlertData, version: int | None = None) -> Alert:
    """Change a draft (its kind stays); the same checks as :func:`alert_create`."""
    with transaction.atomic():
        locked = ALERTS.lock(alert, version, related=("sender",), visible=lambda a: has_perm(actor, Perm.ALERT_VIEW, a))
        if version is None and locked.version != alert.version:
            raise AlertChanged
        require(actor, Perm.ALERT_EDIT_DRAFT, locked)
        data.kind = locked.kind
        _area, cleaned, countries = _validate(data, locked.sender)
        for name, value in cleaned.items():
            setattr(locked, name, value)
        locked.all_countries = data.all_countries
        locked.version += 1
        locked.updated_at = timezone.now()
        locked.save()
        locked.countries.set(countries)
        _event(locked, actor, locked.sender_id, "edited", locked.state, locked.state, {"fields": sorted(cleaned)})
        audit(actor=actor, action="alert.edited", obj=locked, authority_id=locked.sender_id)
    return locked


def alert_act(
    *, actor: User, alert: Alert | int, action: str, version: int | None = None, payload: dict | None = None
) -> Alert:
    """Take ``action`` of the workflow table on ``alert`` (an object as the actor saw it, or
    its key with the ``version`` the client saw). Raises ValidationError naming the field,
    PermissionDenied, Http404 (not visible) or AlertChanged."""
    outcome = ALERTS.apply(
        actor=actor,
        obj=alert,
        action=action,
        version=version,
        payload=payload or {},
        related=("sender",),
        visible=lambda a: has_perm(actor, Perm.ALERT_VIEW, a),
    )
    return outcome.obj


# --- who is told -------------------------------------------------------------------------


def _handlers(authority_ids, area: str):
    """Active alert handlers (in ``area`` or all areas) of the given active authorities."""
    return User.objects.filter(
        Q(memberships__roles__legal_area_id=area) | Q(memberships__roles__legal_area__isnull=True),
        is_active=True,
        memberships__authority_id__in=authority_ids,
        memberships__authority__status=AuthorityStatus.ACTIVE,
        memberships__roles__role=Role.ALERT_HANDLER,
    )


def _coordinators(kind: str, countries, area: str):
    """Local administrators of the active authorities holding an alert coordinator function of
    ``kind`` in ``countries`` that covers ``area``."""
    functions = CoordinatorFunction.objects.filter(
        Q(legal_areas=area) | Q(legal_areas__isnull=True),
        kind=kind,
        country_id__in=countries,
        authority__status=AuthorityStatus.ACTIVE,
    )
    return User.objects.filter(
        is_active=True,
        memberships__authority_id__in=functions.values("authority_id"),
        memberships__roles__role=Role.LOCAL_ADMIN,
    )


def _readers(alert: Alert):
    """Everyone the alert reached: the recipients' alert handlers and the incoming coordinators."""
    recipients = AlertRecipient.objects.filter(alert=alert).values("authority_id")
    countries = AlertDelivery.objects.filter(alert=alert).values("country_id")
    return User.objects.filter(
        Q(pk__in=_handlers(recipients, alert.legal_area_id).values("pk"))
        | Q(pk__in=_coordinators(INCOMING, countries, alert.legal_area_id).values("pk"))
    )


# --- the handlers, one per row of the table ----------------------------------------------


def _has_outgoing_coordinator(alert: Alert) -> bool:
    return CoordinatorFunction.objects.filter(
        Q(legal_areas=alert.legal_area_id) | Q(legal_areas__isnull=True),
        kind=OUTGOING,
        country_id=alert.sender.country_id,
        authority__status=AuthorityStatus.ACTIVE,
    ).exists()


def check_complete(alert: Alert) -> None:
    """The completeness check before anything leaves the sender: a ValidationError naming
    every missing required field of the alert's kind."""
    missing = kinds.missing_fields(alert)
    if missing:
        raise ValidationError(
            {
                # The label as the form shows it, never lower-cased in code (German capitalises nouns).
                name: [labelled(capfirst(kinds.field_label(name)), _("required before the alert is sent"))]
                for name in missing
            }
        )


def _broadcast(alert: Alert, now: datetime.datetime) -> None:
    """One delivery row per country concerned, in one INSERT, and one notification per
    incoming coordinator (one INSERT … SELECT): bounded whatever the number of countries."""
    countries = Country.objects.filter(is_active=True).exclude(code=alert.sender.country_id)
    if not alert.all_countries:
        countries = countries.filter(code__in=alert.countries.values("code"))
    codes = list(countries.values_list("code", flat=True))
    AlertDelivery.objects.bulk_create([AlertDelivery(alert=alert, country_id=c, received_at=now) for c in codes])
    alert.broadcast_at = now
    notify(recipients=_coordinators(INCOMING, codes, alert.legal_area_id), kind=NoticeKind.ALERT_RECEIVED, alert=alert)


def _submit(actor: User, alert: Alert, _t: Transition, _payload: dict) -> str:
    check_complete(alert)
    now = timezone.now()
    alert.submitted_at = now
    if not alert.reference:
        alert.reference = f"AL-{alert.sender.country_id}-{now:%Y}-{alert.pk:07d}"
    if _has_outgoing_coordinator(alert):
        notify(
            recipients=_coordinators(OUTGOING, [alert.sender.country_id], alert.legal_area_id),
            kind=NoticeKind.ALERT_TO_VALIDATE,
            alert=alert,
        )
        return AlertState.AWAITING_VALIDATION
    _broadcast(alert, now)
    return AlertState.BROADCAST


def _validate_action(_actor: User, alert: Alert, _t: Transition, _payload: dict) -> None:
    check_complete(alert)
    _broadcast(alert, timezone.now())


def _return(_actor: User, alert: Alert, t: Transition, payload: dict) -> None:
    _required_text(payload, t)
    notify(recipients=_handlers([alert.sender_id], alert.legal_area_id), kind=NoticeKind.ALERT_RETURNED, alert=alert)


def _forward(actor: User, alert: Alert, _t: Transition, payload: dict) -> None:
    """Forward the alert in the coordinator's country to the competent authorities chosen.
    The alert row is locked by the core and the table's check is made on the locked row, so
    of two coordinators forwarding at once exactly one wins: the other's version is stale
    (reload, and the delivery table says who forwarded), or, with no version, the delivery is
    no longer waiting and the action is refused."""
    scopes = incoming_scopes(access_of(actor), alert)
    delivery = (
        AlertDelivery.objects.select_for_update(of=("self",))
        .filter(alert=alert, country_id__in=[s.country for s in scopes], state=DeliveryState.RECEIVED)
        .order_by("country_id")
        .first()
    )
    if delivery is None:  # cannot happen once the table's check passed
        raise PermissionDenied(_("You are not allowed to do this on this alert."))
    raw = payload.get("authorities") or []
    try:
        ids = list(dict.fromkeys(int(a) for a in raw))
    except (TypeError, ValueError):
        raise ValidationError({"authorities": _("Choose authorities from the directory.")}) from None
    if not ids:
        raise ValidationError({"authorities": _("Choose at least one competent authority.")})
    found = set(
        Authority.objects.filter(pk__in=ids, country_id=delivery.country_id, status=AuthorityStatus.ACTIVE).values_list(
            "pk", flat=True
        )
    )
    if found != set(ids):
        raise ValidationError({"authorities": _("Choose active authorities of your country.")})
    now = timezone.now()
    AlertRecipient.objects.bulk_create(
        [AlertRecipient(alert=alert, delivery=delivery, authority_id=a, added_at=now) for a in ids],
        ignore_conflicts=True,
    )
    delivery.state, delivery.forwarded_at, delivery.forwarded_by = DeliveryState.FORWARDED, now, actor
    delivery.coordinator_id = scopes[0].authority_id
    delivery.save(update_fields=["state", "forwarded_at", "forwarded_by", "coordinator"])
    notify(recipients=_handlers(ids, alert.legal_area_id), kind=NoticeKind.ALERT_FORWARDED, alert=alert)
    payload["_count"] = len(ids)
    payload["_country"] = delivery.country_id


def _acknowledge(actor: User, alert: Alert, t: Transition, payload: dict) -> None:
    """Every recipient authority of the actor where they handle alerts acknowledges the
    alert's current edition, in one UPDATE."""
    access = access_of(actor)
    ids = recipient_ids(access, alert, t.roles)
    mine = standing(access, alert).recipients
    todo = [a for a in ids if mine[a] < alert.edition]
    AlertRecipient.objects.filter(alert=alert, authority_id__in=todo).update(
        acknowledged_edition=alert.edition, acknowledged_at=timezone.now(), acknowledged_by=actor
    )
    payload["_edition"] = alert.edition


def _rectify(actor: User, alert: Alert, _t: Transition, payload: dict) -> None:
    """A new edition: what changed is kept (personal fields only named), every recipient sees
    it and acknowledges again."""
    errors: dict[str, list[str]] = {}
    cleaned = _clean_fields(alert.kind, payload.get("fields") or {}, errors)
    note = clean_text(str(payload.get("text") or ""), "text", errors, limit=MAX_TEXT)
    if errors:
        raise ValidationError(errors)
    changed = {name: value for name, value in cleaned.items() if getattr(alert, name) != value}
    if not changed:
        raise ValidationError({"fields": _("Change at least one field.")})
    for name, value in changed.items():
        setattr(alert, name, value)
    check_complete(alert)
    alert.edition += 1
    AlertVersion.objects.create(
        alert=alert,
        number=alert.edition,
        changes={
            name: (None if name in PERSONAL else (v.isoformat() if isinstance(v, datetime.date) else v))
            for name, v in changed.items()
        },
        note=note,
        created_by=actor,
    )
    notify(recipients=_readers(alert), kind=NoticeKind.ALERT_RECTIFIED, alert=alert)
    payload["_fields"] = sorted(changed)


def _follow_up(actor: User, alert: Alert, t: Transition, payload: dict) -> None:
    text = _required_text(payload, t)
    authority_id = ALERTS.context(actor, alert, t)
    if authority_id is None:  # cannot happen once the table's check passed
        raise PermissionDenied(_("You are not allowed to do this on this alert."))
    AlertFollowUp.objects.create(alert=alert, authority_id=authority_id, author=actor, text=text)
    _notify_all(alert, actor, NoticeKind.ALERT_FOLLOW_UP)


def _propose_closure(actor: User, alert: Alert, _t: Transition, _payload: dict) -> None:
    alert.closure_proposed_at = timezone.now()
    _notify_all(alert, actor, NoticeKind.ALERT_CLOSURE_PROPOSED)


def _close(actor: User, alert: Alert, _t: Transition, _payload: dict) -> None:
    alert.closed_at = timezone.now()
    _notify_all(alert, actor, NoticeKind.ALERT_CLOSED)


def _withdraw(actor: User, alert: Alert, t: Transition, payload: dict) -> None:
    """Withdrawn in error: the reason is kept, the personal data goes at once — on the alert,
    in the rectifications and in the follow-ups (notifications carry none)."""
    alert.withdrawal_reason = _required_text(payload, t)
    alert.withdrawn_at = timezone.now()
    erase_personal_data(alert)
    if alert.broadcast_at is not None:
        _notify_all(alert, actor, NoticeKind.ALERT_WITHDRAWN)


def erase_personal_data(alert: Alert) -> None:
    """Empty every personal field of the alert and of what hangs from it (the alert row is
    saved by the caller)."""
    for name in PERSONAL:
        setattr(alert, name, None if name in kinds.DATE_FIELDS else "")
    AlertVersion.objects.filter(alert=alert).update(changes={}, note="")
    AlertFollowUp.objects.filter(alert=alert).update(text="")


def _notify_all(alert: Alert, actor: User, kind: str) -> None:
    """The sender's alert handlers and every reader the alert reached, but not the actor."""
    people = User.objects.filter(
        Q(pk__in=_handlers([alert.sender_id], alert.legal_area_id).values("pk"))
        | Q(pk__in=_readers(alert).values("pk"))
    ).exclude(pk=actor.pk)
    notify(recipients=people, kind=kind, alert=alert)


def _required_text(payload: dict, t: Transition) -> str:
    errors: dict[str, list[str]] = {}
    text = clean_text(str(payload.get("text") or ""), "text", errors, required=t.needs_text, limit=MAX_TEXT)
    if errors:
        raise ValidationError(errors)
    return text


def _event(alert: Alert, actor, authority_id, action: str, from_state: str, to_state: str, data: dict) -> AlertEvent:
    return AlertEvent.objects.create(
        alert=alert,
        action=action,
        actor=actor,
        authority_id=authority_id,
        from_state=from_state,
        to_state=to_state,
        data=data,
    )


def _record(
    actor: User, alert: Alert, t: Transition, from_state: str, to_state: str, payload: dict, authority_id: Any
) -> None:
    """The event row (what changed, never personal data), then the audit entry, last."""
    data = {key[1:]: value for key, value in payload.items() if key.startswith("_")}
    if t.asks_reason or t.needs_text:
        data["has_text"] = bool(payload.get("text"))
    _event(alert, actor, authority_id, t.name, from_state, to_state, data)
    audit(actor=actor, action=f"alert.{t.name}", obj=alert, authority_id=authority_id, **data)


ALERTS.bind(
    handlers={
        "submit": _submit,
        "validate": _validate_action,
        "return": _return,
        "forward": _forward,
        "acknowledge": _acknowledge,
        "rectify": _rectify,
        "follow_up": _follow_up,
        "propose_closure": _propose_closure,
        "close": _close,
        "withdraw": _withdraw,
    },
    record=_record,
)
