"""Information requests: one authority asks another, abroad, structured questions.

The states are declared here; which action leads from which state to which, and who may do
it, is declared once in :mod:`openimi.exchanges.workflow`."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class State(models.TextChoices):
    DRAFT = "draft", pgettext_lazy("request state", "Draft")
    AWAITING_APPROVAL = "awaiting_approval", pgettext_lazy("request state", "Awaiting approval")
    SENT = "sent", pgettext_lazy("request state", "Sent")
    ACCEPTED = "accepted", pgettext_lazy("request state", "Accepted")
    AWAITING_INFORMATION = "awaiting_information", pgettext_lazy("request state", "Awaiting information")
    ANSWERED = "answered", pgettext_lazy("request state", "Answered")
    CLOSED = "closed", pgettext_lazy("request state", "Closed")
    WITHDRAWN = "withdrawn", pgettext_lazy("request state", "Withdrawn")


OPEN_STATES = [State.SENT, State.ACCEPTED, State.AWAITING_INFORMATION, State.ANSWERED, State.AWAITING_APPROVAL]


class InformationRequest(models.Model):
    """One exchange. ``subject_*`` fields hold personal data of the professional or provider
    the request is about (see ``PERSONAL_DATA``)."""

    PERSONAL_DATA = ("subject_name", "subject_identifiers", "subject_address", "subject_birth_date")

    reference = models.CharField(_("reference"), max_length=24, unique=True, null=True, blank=True)
    legal_area = models.ForeignKey("core.LegalArea", on_delete=models.PROTECT, related_name="+")
    question_set = models.ForeignKey("questionnaires.QuestionSet", on_delete=models.PROTECT, related_name="requests")
    requester = models.ForeignKey("directory.Authority", on_delete=models.PROTECT, related_name="requests_sent")
    responder = models.ForeignKey(
        "directory.Authority", null=True, blank=True, on_delete=models.PROTECT, related_name="requests_received"
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    responder_handler = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("handler"),
    )
    referred_to = models.ForeignKey(
        "directory.Authority",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("referred to coordinator"),
    )
    state = models.CharField(_("state"), max_length=24, choices=State.choices, default=State.DRAFT)
    # Personal data of the subject.
    subject_name = models.CharField(_("name of the professional or provider"), max_length=300, blank=True)
    subject_identifiers = models.CharField(
        _("identifiers"),
        max_length=300,
        blank=True,
        help_text=_("Registration numbers, VAT or tax number, licence number …"),
    )
    subject_address = models.CharField(_("address"), max_length=500, blank=True)
    subject_birth_date = models.DateField(_("date of birth"), null=True, blank=True)
    free_text = models.TextField(_("your message"), blank=True)
    free_text_language = models.CharField(_("language of the message"), max_length=8, blank=True)
    reply_by = models.DateField(_("reply by"), null=True, blank=True)
    proposed_reply_by = models.DateField(_("proposed reply date"), null=True, blank=True)
    acceptance_deadline = models.DateTimeField(null=True, blank=True)
    is_overdue = models.BooleanField(default=False)
    reminded_at = models.DateTimeField(null=True, blank=True)
    escalated_at = models.DateTimeField(null=True, blank=True)
    rating_timeliness = models.PositiveSmallIntegerField(null=True, blank=True)
    rating_effort = models.PositiveSmallIntegerField(null=True, blank=True)
    partial_answer = models.BooleanField(default=False)
    version = models.PositiveIntegerField(default=1, help_text="Incremented by every action (optimistic locking).")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    accepted_at = models.DateTimeField(null=True, blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    # Retention (IMI Regulation Art. 14): personal data blocked, then deleted, after closure.
    personal_data_blocked_at = models.DateTimeField(null=True, blank=True)
    personal_data_deleted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("information request")
        verbose_name_plural = _("information requests")
        indexes = [
            models.Index(fields=["responder", "state", "-updated_at"], name="request_inbox"),
            models.Index(fields=["requester", "state", "-updated_at"], name="request_outbox"),
            models.Index(fields=["responder", "-updated_at"], name="request_inbox_all"),
            models.Index(fields=["requester", "-updated_at"], name="request_outbox_all"),
            models.Index(fields=["state", "acceptance_deadline"], name="request_deadline"),
            models.Index(fields=["state", "reply_by"], name="request_reply_by"),
            models.Index(fields=["state", "closed_at"], name="request_closed"),
        ]
        constraints = [
            models.CheckConstraint(condition=models.Q(state__in=State.values), name="request_state_valid"),
            models.CheckConstraint(
                condition=models.Q(rating_timeliness__isnull=True) | models.Q(rating_timeliness__range=(1, 5)),
                name="request_rating_timeliness_range",
            ),
            models.CheckConstraint(
                condition=models.Q(rating_effort__isnull=True) | models.Q(rating_effort__range=(1, 5)),
                name="request_rating_effort_range",
            ),
        ]

    def __str__(self) -> str:
        return self.reference or f"draft {self.pk}"

    @property
    def awaiting_acceptance(self) -> bool:
        """Sent and not yet accepted: the acceptance deadline runs."""
        return self.state == State.SENT


class RequestQuestion(models.Model):
    """A question the requester chose from the request's question set."""

    request = models.ForeignKey(InformationRequest, on_delete=models.CASCADE, related_name="chosen")
    question = models.ForeignKey("questionnaires.Question", on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["request", "question"], name="requestquestion_unique")]

    def __str__(self) -> str:
        return f"{self.request_id}: {self.question_id}"


class Answer(models.Model):
    request = models.ForeignKey(InformationRequest, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey("questionnaires.Question", on_delete=models.PROTECT, related_name="+")
    value = models.JSONField()
    answered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    answered_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["request", "question"], name="answer_unique")]

    def __str__(self) -> str:
        return f"{self.request_id}: {self.question_id}"


class Message(models.Model):
    """Free text written by a participant: kept as written, with its language recorded.
    Internal notes are visible only inside the author's authority."""

    class Kind(models.TextChoices):
        CLARIFICATION_REQUEST = "clarification_request", pgettext_lazy("message", "Request for clarification")
        CLARIFICATION = "clarification", pgettext_lazy("message", "Clarification")
        ANSWER = "answer", pgettext_lazy("message", "Answer")
        FURTHER_QUESTION = "further_question", pgettext_lazy("message", "Further question")
        FORWARD_REASON = "forward_reason", pgettext_lazy("message", "Reason for forwarding")
        REJECTION = "rejection", pgettext_lazy("message", "Reason for rejection")
        REFERRAL = "referral", pgettext_lazy("message", "Referral to the coordinator")
        COMMENT = "comment", pgettext_lazy("message", "Coordinator's comment")
        DATE_PROPOSAL = "date_proposal", pgettext_lazy("message", "Reason for another date")
        NOTE = "note", pgettext_lazy("message", "Internal note")
        WITHDRAWAL = "withdrawal", pgettext_lazy("message", "Reason for withdrawal")

    request = models.ForeignKey(InformationRequest, on_delete=models.CASCADE, related_name="messages")
    kind = models.CharField(max_length=32, choices=Kind.choices)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    authority = models.ForeignKey("directory.Authority", on_delete=models.PROTECT, related_name="+")
    text = models.TextField()
    language = models.CharField(max_length=8)
    internal = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.kind} on {self.request_id}"

    @property
    def anchor(self) -> str:
        return f"message-{self.pk}"


class Attachment(models.Model):
    request = models.ForeignKey(InformationRequest, on_delete=models.CASCADE, related_name="attachments")
    authority = models.ForeignKey("directory.Authority", on_delete=models.PROTECT, related_name="+")
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    file = models.FileField(upload_to="attachments/%Y/%m/")
    original_name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return self.original_name


class RequestEvent(models.Model):
    """Immutable timeline entry: who did what, when, from which state to which."""

    request = models.ForeignKey(InformationRequest, on_delete=models.CASCADE, related_name="events")
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
    internal = models.BooleanField(default=False)

    class Meta:
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["request", "at"], name="requestevent_timeline")]

    def __str__(self) -> str:
        return f"{self.action} on {self.request_id}"


class RequestSeen(models.Model):
    """When a user last opened a request's page: the inbox marks as new a request changed
    since (or never opened)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    request = models.ForeignKey(InformationRequest, on_delete=models.CASCADE, related_name="+")
    seen_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "request"], name="requestseen_unique")]

    def __str__(self) -> str:
        return f"{self.user_id} saw {self.request_id}"
