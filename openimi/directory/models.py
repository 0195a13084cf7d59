"""The directory: authorities, their competences, coordinator functions and registration."""

import hashlib
from datetime import UTC

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from openimi.core.i18n import pick
from openimi.core.models import LegalArea


class AuthorityStatus(models.TextChoices):
    """Life cycle of a directory entry. Only ``active`` authorities are listed to others."""

    INVITED = "invited", pgettext_lazy("authority status", "Invited")
    PENDING = "pending", pgettext_lazy("authority status", "Pending validation")
    ACTIVE = "active", pgettext_lazy("authority status", "Active")
    SUSPENDED = "suspended", pgettext_lazy("authority status", "Suspended")


class AuthorityKind(models.TextChoices):
    CHAMBER = "chamber", pgettext_lazy("authority kind", "Chamber")
    PROFESSIONAL_BODY = "professional_body", pgettext_lazy("authority kind", "Professional body")
    MINISTRY = "ministry", pgettext_lazy("authority kind", "Ministry")
    MUNICIPALITY = "municipality", pgettext_lazy("authority kind", "Municipality")
    INSPECTORATE = "inspectorate", pgettext_lazy("authority kind", "Inspectorate")
    REGISTER = "register", pgettext_lazy("authority kind", "Register")
    AGENCY = "agency", pgettext_lazy("authority kind", "Agency")
    OTHER = "other", pgettext_lazy("authority kind", "Other")


class Authority(models.Model):
    official_name = models.CharField(
        _("official name"), max_length=300, help_text=_("In the authority's own language; never translated.")
    )
    official_language = models.ForeignKey(
        "core.Language", on_delete=models.PROTECT, related_name="+", verbose_name=_("language of the official name")
    )
    kind = models.CharField(_("type"), max_length=32, choices=AuthorityKind.choices, default=AuthorityKind.OTHER)
    country = models.ForeignKey("core.Country", on_delete=models.PROTECT, related_name="authorities")
    region = models.ForeignKey(
        "core.Region",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="authorities",
        verbose_name=_("region"),
    )
    street_address = models.CharField(_("street address"), max_length=300, blank=True)
    postcode = models.CharField(_("postcode"), max_length=20, blank=True)
    city = models.CharField(_("city"), max_length=120, blank=True)
    website = models.URLField(_("web site"), blank=True)
    email = models.EmailField(_("functional e-mail address"), blank=True)
    phone = models.CharField(_("phone"), max_length=50, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=AuthorityStatus.choices, default=AuthorityStatus.PENDING
    )
    parent_coordinator = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="coordinated",
        verbose_name=_("coordinator"),
    )
    legal_areas: models.ManyToManyField[LegalArea, "AuthorityArea"] = models.ManyToManyField(
        "core.LegalArea", through="AuthorityArea", related_name="authorities", verbose_name=_("legal areas")
    )
    competences = models.ManyToManyField(
        "core.Term", blank=True, related_name="authorities", verbose_name=_("competences")
    )
    requests_need_approval = models.BooleanField(
        _("requests need the coordinator's approval"),
        default=False,
        help_text=_("Requests of this authority wait for its coordinator's approval before they are sent."),
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    validated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("authority")
        verbose_name_plural = _("authorities")
        indexes = [
            models.Index(fields=["country", "status", "official_name"], name="authority_country_status_name"),
            models.Index(fields=["status", "official_name"], name="authority_status_name"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=AuthorityStatus.values), name="authority_status_valid"
            ),
        ]

    def __str__(self) -> str:
        return self.official_name

    def text_in(self, language: str | None = None) -> "AuthorityText | None":
        """The informal title/description in the reader's language (prefetch ``texts``)."""
        texts = {t.language_id: t for t in self.texts.all()}
        chosen = pick({code: code for code in texts}, language)
        return texts.get(chosen)

    @property
    def is_listed(self) -> bool:
        return self.status == AuthorityStatus.ACTIVE


class AuthorityText(models.Model):
    """Informal title and description in one language (these, unlike the name, are translated)."""

    authority = models.ForeignKey(Authority, on_delete=models.CASCADE, related_name="texts")
    language = models.ForeignKey("core.Language", on_delete=models.PROTECT, related_name="+")
    title = models.CharField(_("informal title"), max_length=300)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["authority", "language"], name="authoritytext_unique")]

    def __str__(self) -> str:
        return f"{self.title} [{self.language_id}]"


class AuthorityArea(models.Model):
    """A legal area an authority has been granted access to, by whom and when."""

    authority = models.ForeignKey(Authority, on_delete=models.CASCADE, related_name="area_grants")
    legal_area = models.ForeignKey("core.LegalArea", on_delete=models.PROTECT, related_name="+")
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    granted_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["authority", "legal_area"], name="authorityarea_unique")]

    def __str__(self) -> str:
        return f"{self.authority_id}: {self.legal_area_id}"


class CoordinatorFunction(models.Model):
    """Coordinator powers an authority holds over a scope of its country.

    National: the whole country and every legal area (one per country). Delegated: the same
    country, narrowed to some legal areas and/or regions (empty means all). The two alert
    kinds give only the alert powers of their scope (``Access.alert_scopes``), none of the
    directory's.
    """

    class Kind(models.TextChoices):
        NATIONAL = "national", pgettext_lazy("coordinator kind", "National coordinator")
        DELEGATED = "delegated", pgettext_lazy("coordinator kind", "Delegated coordinator")
        # Alerts (openimi.alerts): the outgoing coordinator validates and broadcasts the
        # alerts of its scope (optional: elsewhere the drafting authority sends directly); the
        # incoming coordinator receives every alert for its country and forwards it.
        ALERT_OUTGOING = "alert_outgoing", pgettext_lazy("coordinator kind", "Outgoing alert coordinator")
        ALERT_INCOMING = "alert_incoming", pgettext_lazy("coordinator kind", "Incoming alert coordinator")

    authority = models.ForeignKey(Authority, on_delete=models.CASCADE, related_name="coordinator_functions")
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    country = models.ForeignKey("core.Country", on_delete=models.PROTECT, related_name="coordinator_functions")
    legal_areas = models.ManyToManyField("core.LegalArea", blank=True, related_name="+", verbose_name=_("legal areas"))
    regions = models.ManyToManyField("core.Region", blank=True, related_name="+", verbose_name=_("regions"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("coordinator function")
        verbose_name_plural = _("coordinator functions")
        constraints = [
            models.UniqueConstraint(
                fields=["country"], condition=models.Q(kind="national"), name="one_national_coordinator_per_country"
            ),
            models.CheckConstraint(
                condition=models.Q(kind__in=["national", "delegated", "alert_outgoing", "alert_incoming"]),
                name="coordinator_kind_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.country_id}): {self.authority}"


class Invitation(models.Model):
    """A self-registration link sent by a coordinator. Single use, expires.

    Only a SHA-256 of the token is stored, so a database leak does not leak usable links. The
    token is an HMAC (with SECRET_KEY) of the authority and the creation time, so the mail task
    can make it again at send time from the invitation's id instead of carrying it.
    """

    authority = models.OneToOneField(Authority, on_delete=models.CASCADE, related_name="invitation")
    email = models.EmailField(_("e-mail address"))
    digest = models.CharField(max_length=64, unique=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.email} ({self.authority_id})"

    @staticmethod
    def digest_for(raw: str) -> str:
        return hashlib.sha256(raw.encode()).hexdigest()

    @staticmethod
    def token_for(authority_id: int, created_at) -> str:
        moment = created_at.astimezone(UTC).strftime("%Y%m%d%H%M%S%f")
        return salted_hmac("openimi.directory.Invitation", f"{authority_id}:{moment}", algorithm="sha256").hexdigest()

    @property
    def token(self) -> str:
        return self.token_for(self.authority_id, self.created_at)

    @property
    def is_expired(self) -> bool:
        return timezone.now() >= self.expires_at


class AuthorityEvent(models.Model):
    """Immutable record of every change to an authority's entry, members or functions."""

    class Action(models.TextChoices):
        REGISTERED = "registered", pgettext_lazy("event", "Registered")
        INVITED = "invited", pgettext_lazy("event", "Invited to register")
        COMPLETED = "completed", pgettext_lazy("event", "Registration completed")
        VALIDATED = "validated", pgettext_lazy("event", "Validated")
        SUSPENDED = "suspended", pgettext_lazy("event", "Suspended")
        REACTIVATED = "reactivated", pgettext_lazy("event", "Reactivated")
        UPDATED = "updated", pgettext_lazy("event", "Details updated")
        AREA_GRANTED = "area_granted", pgettext_lazy("event", "Legal area granted")
        AREA_REVOKED = "area_revoked", pgettext_lazy("event", "Legal area withdrawn")
        COMPETENCES_SET = "competences_set", pgettext_lazy("event", "Competences changed")
        COORDINATOR_APPOINTED = "coordinator_appointed", pgettext_lazy("event", "Coordinator function granted")
        IMPORTED = "imported", pgettext_lazy("event", "Imported")
        MEMBER_ADDED = "member_added", pgettext_lazy("event", "User added")
        MEMBER_ROLES_SET = "member_roles_set", pgettext_lazy("event", "User roles changed")
        MEMBER_REMOVED = "member_removed", pgettext_lazy("event", "User removed")
        TOKEN_ISSUED = "token_issued", pgettext_lazy("event", "API token issued")
        TOKEN_REVOKED = "token_revoked", pgettext_lazy("event", "API token revoked")

    authority = models.ForeignKey(Authority, on_delete=models.CASCADE, related_name="events")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    action = models.CharField(max_length=32, choices=Action.choices)
    at = models.DateTimeField(default=timezone.now, db_index=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.action} @ {self.at:%Y-%m-%d %H:%M}"


class SearchEntry(models.Model):
    """One normalised word (or its stem) of an authority's names, titles, descriptions and
    places, maintained by the directory services in the same transaction as the change, so
    a new or changed authority is searchable at once. Competences are not copied here: they
    are matched through their labels in every language at query time."""

    class Field(models.TextChoices):
        NAME = "name"
        TITLE = "title"
        PLACE = "place"
        DESCRIPTION = "description"

    authority = models.ForeignKey(Authority, on_delete=models.CASCADE, related_name="search_entries")
    word = models.CharField(max_length=64)
    field = models.CharField(max_length=12, choices=Field.choices)

    class Meta:
        indexes = [models.Index(fields=["word", "authority"], name="searchentry_word")]
        constraints = [models.UniqueConstraint(fields=["authority", "word", "field"], name="searchentry_unique")]

    def __str__(self) -> str:
        return self.word


class SearchWord(models.Model):
    """Every distinct indexed word: the vocabulary for typo-tolerant and prefix matching."""

    word = models.CharField(max_length=64, unique=True)

    def __str__(self) -> str:
        return self.word
