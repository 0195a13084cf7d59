"""The audit log: append-only and hash-chained. Each row's hash covers its content and the
previous row's hash, so changing or deleting any row breaks the chain from there on, which
``manage.py audit_verify`` reports. Database triggers refuse UPDATE and DELETE."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class AuditEntry(models.Model):
    at = models.DateTimeField(default=timezone.now, db_index=True)
    actor_id = models.BigIntegerField(null=True, blank=True)  # no foreign key: the log outlives accounts
    actor_email = models.CharField(max_length=254, blank=True)
    authority_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    action = models.CharField(max_length=64)
    object_type = models.CharField(max_length=64, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    ip = models.CharField(max_length=64, blank=True)
    data = models.JSONField(default=dict, blank=True)
    # Unique: two entries chained onto the same predecessor would be a fork.
    prev_hash = models.CharField(max_length=64, unique=True)
    hash = models.CharField(max_length=64, unique=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit log")

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.action} {self.object_type}:{self.object_id}"


class AuditHead(models.Model):
    """The one row that holds the hash of the last audit entry. Writers lock it to chain onto
    it (see ``privacy.audit``); it also shows whether entries were removed from the end."""

    SINGLETON = 1

    id = models.PositiveSmallIntegerField(primary_key=True, default=SINGLETON)
    hash = models.CharField(max_length=64)

    class Meta:
        constraints = [models.CheckConstraint(condition=models.Q(id=1), name="audithead_singleton")]

    def __str__(self) -> str:
        return self.hash


class SubjectRequest(models.Model):
    """A data subject's request (IMI Regulation Art. 19, GDPR Art. 15-18) received by an
    authority: who asked, for what, and by when it must be answered (30 days)."""

    class Kind(models.TextChoices):
        ACCESS = "access", pgettext_lazy("subject request", "Access to personal data")
        RECTIFICATION = "rectification", pgettext_lazy("subject request", "Rectification")
        RESTRICTION = "restriction", pgettext_lazy("subject request", "Contesting the data (restriction)")

    class Status(models.TextChoices):
        OPEN = "open", pgettext_lazy("subject request", "Open")
        COMPLETED = "completed", pgettext_lazy("subject request", "Completed")

    authority = models.ForeignKey("directory.Authority", on_delete=models.PROTECT, related_name="subject_requests")
    kind = models.CharField(_("kind of request"), max_length=16, choices=Kind.choices)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.OPEN)
    # Personal data of the person who asked.
    person_name = models.CharField(_("name of the person"), max_length=300, blank=True)
    person_identifiers = models.CharField(
        _("identifiers"),
        max_length=300,
        blank=True,
        help_text=_("Registration numbers, VAT or tax number, licence number …"),
    )
    note = models.TextField(_("note"), blank=True)
    received_on = models.DateField(_("received on"))
    due_on = models.DateField(_("answer due by"))
    outcome = models.TextField(_("outcome"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    completed_at = models.DateTimeField(null=True, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["status", "due_on", "id"]
        verbose_name = _("data-subject request")
        verbose_name_plural = _("data-subject requests")
        indexes = [models.Index(fields=["authority", "status", "due_on"], name="subjectrequest_due")]
        constraints = [
            models.CheckConstraint(condition=models.Q(due_on__gte=models.F("received_on")), name="subjectrequest_due"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.pk}"

    @property
    def is_overdue(self) -> bool:
        return self.status == self.Status.OPEN and self.due_on < timezone.localdate()

    @property
    def days_left(self) -> int:
        return (self.due_on - timezone.localdate()).days

    @property
    def days_overdue(self) -> int:
        return -self.days_left


class ContestMark(models.Model):
    """The data subject contests the accuracy of an exchange's personal data. Both
    authorities see the mark until it is lifted."""

    request = models.ForeignKey("exchanges.InformationRequest", on_delete=models.CASCADE, related_name="contest_marks")
    subject_request = models.ForeignKey(
        SubjectRequest, null=True, blank=True, on_delete=models.SET_NULL, related_name="contest_marks"
    )
    authority = models.ForeignKey("directory.Authority", on_delete=models.PROTECT, related_name="+")
    reason = models.TextField(_("what the person contests"))
    marked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    marked_at = models.DateTimeField(default=timezone.now)
    lifted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    lifted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-marked_at", "-id"]

    def __str__(self) -> str:
        return f"contested {self.request_id}"
