from django.db import models
from django.utils import timezone


class CachedTranslation(models.Model):
    """One machine translation, reused whenever the same text is asked for the same pair.
    Keyed by a SHA-256 of (exchange, source, target, text) so the index stays small.

    A translation of an exchange's text belongs to that exchange (``request``): it is found
    only from there and deleted with the exchange's personal data by retention."""

    key = models.CharField(max_length=64, unique=True)
    request = models.ForeignKey(
        "exchanges.InformationRequest", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    source_language = models.CharField(max_length=8)
    target_language = models.CharField(max_length=8)
    translated = models.TextField()
    route = models.JSONField(default=list, help_text="[[engine, source, target], …]")
    created_at = models.DateTimeField(default=timezone.now)
    hits = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.source_language}→{self.target_language} {self.key[:8]}"


class PendingTranslation(models.Model):
    """A request sent to an asynchronous engine (eTranslation) whose answer arrives later by
    callback. ``token`` is a secret shared only with the engine, checked on the callback."""

    key = models.CharField(max_length=64, unique=True)
    request = models.ForeignKey(
        "exchanges.InformationRequest", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    token = models.CharField(max_length=64, unique=True)
    source_language = models.CharField(max_length=8)
    target_language = models.CharField(max_length=8)
    engine = models.CharField(max_length=32)
    engine_request_id = models.CharField(max_length=64, blank=True)
    error = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.engine} {self.source_language}→{self.target_language}"
