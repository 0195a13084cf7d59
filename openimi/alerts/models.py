"""Alerts: one authority warns every other country (or those concerned) of a serious risk, and
proves that each one was reached.

The states are declared here; which action leads from which state to which, and who may take
it, is declared once in :mod:`openimi.alerts.workflow`. ``version`` is the optimistic lock
(every action bumps it); ``edition`` is the alert's content version, raised by each
rectification and acknowledged by every recipient."""

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class AlertKind(models.TextChoices):
    SERVICES = "services", pgettext_lazy("alert kind", "Services Directive alert")
    PQ_SANCTION = "pq_sanction", pgettext_lazy("alert kind", "Professional qualifications: sanction")
    PQ_FALSIFIED_DIPLOMA = (
        "pq_falsified_diploma",
        pgettext_lazy("alert kind", "Professional qualifications: falsified diploma"),
    )
    NOTICE = "notice", pgettext_lazy("alert kind", "Information notice")


class AlertState(models.TextChoices):
    DRAFT = "draft", pgettext_lazy("alert state", "Draft")
    AWAITING_VALIDATION = "awaiting_validation", pgettext_lazy("alert state", "Awaiting validation")
    BROADCAST = "broadcast", pgettext_lazy("alert state", "Broadcast")
    CLOSURE_PROPOSED = "closure_proposed", pgettext_lazy("alert state", "Closure proposed")
    CLOSED = "closed", pgettext_lazy("alert state", "Closed")
    WITHDRAWN = "withdrawn", pgettext_lazy("alert state", "Withdrawn")


class DeliveryState(models.TextChoices):
    RECEIVED = "received", pgettext_lazy("alert delivery state", "Received")
    FORWARDED = "forwarded", pgettext_lazy("alert delivery state", "Forwarded")


OPEN_STATES = (AlertState.BROADCAST, AlertState.CLOSURE_PROPOSED)


class Alert(models.Model):
    """One alert, under one reference number through every step. The ``subject_*`` and
    ``provider_name`` fields and the free-text descriptions hold personal data (declared in
    ``privacy/personal_data.py``): they are erased at once when the alert is withdrawn."""

    reference = models.CharField(_("reference"), max_length=24, unique=True, null=True, blank=True)
    kind = models.CharField(_("kind of alert"), max_length=24, choices=AlertKind.choices)
    legal_area = models.ForeignKey("core.LegalArea", on_delete=models.PROTECT, related_name="+")
    sender = models.ForeignKey("directory.Authority", on_delete=models.PROTECT, related_name="alerts_sent")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    state = models.CharField(_("state"), max_length=24, choices=AlertState.choices, default=AlertState.DRAFT)
    version = models.PositiveIntegerField(default=1, help_text="Incremented by every action (optimistic locking).")
    edition = models.PositiveIntegerField(_("alert version"), default=1)
    # Countries concerned: all active countries but the sender's, or those chosen.
    all_countries = models.BooleanField(_("all countries"), default=True)
    countries = models.ManyToManyField(
        "core.Country", blank=True, related_name="+", verbose_name=_("countries concerned")
    )
    # What every kind may carry; which of them each kind requires is alerts.kinds.REQUIRED.
    profession = models.CharField(_("profession"), max_length=120, blank=True)
    restriction_scope = models.TextField(_("scope of the restriction"), blank=True)
    deciding_authority = models.CharField(_("deciding authority or court"), max_length=300, blank=True)
    decision_date = models.DateField(_("date of the decision"), null=True, blank=True)
    sanction_start_date = models.DateField(_("start of the restriction"), null=True, blank=True)
    sanction_end_date = models.DateField(_("end of the restriction"), null=True, blank=True)
    activity = models.CharField(_("service activity"), max_length=300, blank=True)
    # Personal data of the professional or provider.
    subject_name = models.CharField(_("name of the professional"), max_length=300, blank=True)
    subject_identifiers = models.CharField(_("identifiers"), max_length=300, blank=True)
    subject_birth_date = models.DateField(_("date of birth"), null=True, blank=True)
    provider_name = models.CharField(_("service provider"), max_length=300, blank=True)
    risk_description = models.TextField(_("description of the risk"), blank=True)
    measures_taken = models.TextField(_("measures taken"), blank=True)
    description = models.TextField(_("description"), blank=True)
    # Each step, timed.
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    submitted_at = models.DateTimeField(null=True, blank=True)
    broadcast_at = models.DateTimeField(null=True, blank=True)
    closure_proposed_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawal_reason = models.TextField(_("reason for the withdrawal"), blank=True)

    class Meta:
        ordering = ["-updated_at", "-id"]
        verbose_name = _("alert")
        verbose_name_plural = _("alerts")
        constraints = [
            models.CheckConstraint(condition=models.Q(state__in=AlertState.values), name="alert_state_valid"),
            models.CheckConstraint(condition=models.Q(kind__in=AlertKind.values), name="alert_kind_valid"),
        ]
        indexes = [
            models.Index(fields=["sender", "state"], name="alert_sender_state"),
            models.Index(fields=["state", "-updated_at"], name="alert_state_updated"),
        ]

    def __str__(self) -> str:
        return self.reference or f"draft {self.pk}"


class AlertDelivery(models.Model):
    """The alert in one receiving country: received by its incoming coordinators, then
    forwarded by one of them to the competent authorities."""

    alert = models.ForeignKey(Alert, on_delete=models.CASCADE, related_name="deliveries")
    country = models.ForeignKey("core.Country", on_delete=models.PROTECT, related_name="+")
    state = models.CharField(max_length=16, choices=DeliveryState.choices, default=DeliveryState.RECEIVED)
    received_at = models.DateTimeField(default=timezone.now)
    forwarded_at = models.DateTimeField(null=True, blank=True)
    forwarded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    coordinator = models.ForeignKey(
        "directory.Authority", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["country_id"]
        constraints = [
            models.UniqueConstraint(fields=["alert", "country"], name="alertdelivery_unique"),
            models.CheckConstraint(condition=models.Q(state__in=DeliveryState.values), name="alertdelivery_state"),
        ]
        indexes = [models.Index(fields=["country", "state"], name="alertdelivery_todo")]

    def __str__(self) -> str:
        return f"{self.alert_id} in {self.country_id}"


class AlertRecipient(models.Model):
    """One competent authority that received the alert, and which edition it acknowledged."""

    alert = models.ForeignKey(Alert, on_delete=models.CASCADE, related_name="recipients")
    delivery = models.ForeignKey(AlertDelivery, on_delete=models.CASCADE, related_name="recipients")
    authority = models.ForeignKey("directory.Authority", on_delete=models.PROTECT, related_name="alerts_received")
    added_at = models.DateTimeField(default=timezone.now)
    acknowledged_edition = models.PositiveIntegerField(default=0)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["delivery_id", "authority_id"]
        constraints = [models.UniqueConstraint(fields=["alert", "authority"], name="alertrecipient_unique")]
        indexes = [models.Index(fields=["authority", "acknowledged_edition"], name="alertrecipient_todo")]

    def __str__(self) -> str:
        return f"{self.alert_id} to {self.authority_id}"


class AlertVersion(models.Model):
    """One rectification: the edition it made and what changed (``changes``: field -> new
    value, the personal fields only named, never their value)."""

    alert = models.ForeignKey(Alert, on_delete=models.CASCADE, related_name="editions")
    number = models.PositiveIntegerField()
    changes = models.JSONField(default=dict, blank=True)
    note = models.TextField(blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["number"]
        constraints = [models.UniqueConstraint(fields=["alert", "number"], name="alertversion_unique")]

    def __str__(self) -> str:
        return f"{self.alert_id} v{self.number}"


class AlertFollowUp(models.Model):
    """A follow-up: a separate thread beside the alert, not an amendment of it."""

    alert = models.ForeignKey(Alert, on_delete=models.CASCADE, related_name="follow_ups")
    authority = models.ForeignKey("directory.Authority", on_delete=models.PROTECT, related_name="+")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    text = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"follow-up {self.pk} on {self.alert_id}"


class AlertEvent(models.Model):
    """Immutable timeline entry: who did what, when, from which state to which."""

    alert = models.ForeignKey(Alert, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(max_length=32)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    authority = models.ForeignKey(
        "directory.Authority", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    from_state = models.CharField(max_length=24, blank=True)
    to_state = models.CharField(max_length=24, blank=True)
    at = models.DateTimeField(default=timezone.now)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["alert", "at"], name="alertevent_timeline")]

    def __str__(self) -> str:
        return f"{self.action} on {self.alert_id}"

    def save(self, *args, **kwargs) -> None:
        if self.pk is not None:
            raise ImproperlyConfigured("alert events are immutable")
        super().save(*args, **kwargs)
