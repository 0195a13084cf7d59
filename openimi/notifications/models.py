"""The transactional outbox: a notification row is written in the same transaction as the
change it reports, so it is never lost when a process dies and never sent for a change that
was rolled back. The worker delivers rows by e-mail (at once, or in a daily digest)."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import pgettext_lazy


class Kind(models.TextChoices):
    REQUEST_RECEIVED = "request_received", pgettext_lazy("notification", "You have received a new request.")
    APPROVAL_NEEDED = "approval_needed", pgettext_lazy("notification", "A request waits for your approval.")
    REJECTED = "rejected", pgettext_lazy("notification", "Your coordinator returned the request to you.")
    ACCEPTED = "accepted", pgettext_lazy("notification", "Your request has been accepted.")
    FORWARDED = "forwarded", pgettext_lazy("notification", "Your request has been forwarded to another authority.")
    ALLOCATED = "allocated", pgettext_lazy("notification", "A request has been allocated to you.")
    CLARIFICATION_REQUESTED = (
        "clarification_requested",
        pgettext_lazy("notification", "The responding authority asks for clarification."),
    )
    CLARIFICATION_GIVEN = "clarification_given", pgettext_lazy("notification", "The requester gave clarification.")
    ANSWERED = "answered", pgettext_lazy("notification", "Your request has been answered.")
    CLOSED = "closed", pgettext_lazy("notification", "The requester accepted your answer; the request is closed.")
    FURTHER_QUESTIONS = "further_questions", pgettext_lazy("notification", "The requester asks further questions.")
    WITHDRAWN = "withdrawn", pgettext_lazy("notification", "The request has been withdrawn.")
    DATE_PROPOSED = (
        "date_proposed",
        pgettext_lazy("notification", "The responding authority proposes another reply date."),
    )
    DATE_AGREED = "date_agreed", pgettext_lazy("notification", "The requester agreed to the new reply date.")
    DATE_REFUSED = "date_refused", pgettext_lazy("notification", "The requester keeps the original reply date.")
    REFERRED = "referred", pgettext_lazy("notification", "A request has been referred to you as coordinator.")
    COMMENT = "comment", pgettext_lazy("notification", "A coordinator commented on a request.")
    REMINDER = "reminder", pgettext_lazy("notification", "Reminder: a request is waiting for you.")
    OVERDUE = "overdue", pgettext_lazy("notification", "A request is overdue.")
    ESCALATED = (
        "escalated",
        pgettext_lazy("notification", "An overdue request has been escalated to you as coordinator."),
    )
    DATA_RECTIFIED = (
        "data_rectified",
        pgettext_lazy("notification", "The other authority rectified personal data in a request."),
    )
    DATA_CONTESTED = (
        "data_contested",
        pgettext_lazy("notification", "A person contests the accuracy of personal data in a request."),
    )
    SUBJECT_REQUEST_DUE = (
        "subject_request_due",
        pgettext_lazy("notification", "A data-subject request must be answered within a week."),
    )


class AlertKind(models.TextChoices):
    """Notifications about alerts: one per step that needs the reader, per alert."""

    ALERT_TO_VALIDATE = "alert_to_validate", pgettext_lazy("notification", "An alert waits for your validation.")
    ALERT_RETURNED = "alert_returned", pgettext_lazy("notification", "Your coordinator returned the alert to you.")
    ALERT_RECEIVED = "alert_received", pgettext_lazy("notification", "An alert for your country waits to be forwarded.")
    ALERT_FORWARDED = "alert_forwarded", pgettext_lazy("notification", "An alert has been sent to your authority.")
    ALERT_RECTIFIED = (
        "alert_rectified",
        pgettext_lazy("notification", "An alert has been rectified; acknowledge it again."),
    )
    ALERT_FOLLOW_UP = "alert_follow_up", pgettext_lazy("notification", "A follow-up was added to an alert.")
    ALERT_CLOSURE_PROPOSED = "alert_closure_proposed", pgettext_lazy("notification", "Closure of an alert is proposed.")
    ALERT_CLOSED = "alert_closed", pgettext_lazy("notification", "An alert has been closed.")
    ALERT_WITHDRAWN = "alert_withdrawn", pgettext_lazy("notification", "An alert has been withdrawn.")


class Notification(models.Model):
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(max_length=32, choices=Kind.choices + AlertKind.choices)
    request = models.ForeignKey(
        "exchanges.InformationRequest", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    alert = models.ForeignKey("alerts.Alert", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    read_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    # A worker's lease on the row while it sends the mail (outside any transaction).
    claimed_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["sent_at", "created_at"], name="notification_outbox"),
            models.Index(fields=["recipient", "-created_at"], name="notification_inbox"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} for {self.recipient_id}"
