"""The metadata of each information request that the figures are computed from.

One ``RequestFact`` per sent request: countries, legal area, authorities, the clock times and
ratings, the state. No person, no content: nothing here is personal data, so retention (which
empties a request's personal data after 3 years) leaves it as it is, and last year's figures
stay what they were. The request is named by its id only (no foreign key): a fact outlives
anything done to the request row."""

from django.db import models
from django.utils import timezone


class RequestFact(models.Model):
    request_id = models.BigIntegerField(primary_key=True)
    legal_area = models.CharField(max_length=64)
    requester_authority = models.ForeignKey(
        "directory.Authority", on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    responder_authority = models.ForeignKey(
        "directory.Authority", on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    requester_country = models.CharField(max_length=2)
    responder_country = models.CharField(max_length=2)
    state = models.CharField(max_length=24)
    # The clocks, as docs/statistics.md defines them.
    sent_at = models.DateTimeField()
    acceptance_started_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    accept_days = models.FloatField(null=True, blank=True)
    answer_days = models.FloatField(null=True, blank=True)
    paused_days = models.FloatField(default=0)
    reply_by = models.DateField(null=True, blank=True)
    answered_by_date = models.BooleanField(null=True, blank=True)
    forwarded = models.PositiveSmallIntegerField(default=0)
    reopened = models.PositiveSmallIntegerField(default=0)
    is_overdue = models.BooleanField(default=False)
    rating_timeliness = models.PositiveSmallIntegerField(null=True, blank=True)
    rating_effort = models.PositiveSmallIntegerField(null=True, blank=True)
    folded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [
            # The country pages filter on the responding (or requesting) country and a period.
            models.Index(fields=["responder_country", "sent_at"], name="fact_responder_period"),
            models.Index(fields=["requester_country", "sent_at"], name="fact_requester_period"),
            models.Index(fields=["responder_authority", "sent_at"], name="fact_authority_period"),
            models.Index(fields=["sent_at"], name="fact_period"),
        ]

    def __str__(self) -> str:
        return f"fact of request {self.request_id}"


class Watermark(models.Model):
    """The last request event folded into the facts (one row, ``name="facts"``)."""

    name = models.CharField(max_length=32, primary_key=True)
    last_event_id = models.BigIntegerField(default=0)
    folded_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.name} at {self.last_event_id}"
