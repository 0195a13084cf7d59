"""Users, their memberships of authorities, and the roles they hold there per legal area."""

import hashlib
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **fields: Any) -> "User":
        if not email:
            raise ValueError("email is required")
        user = self.model(email=self.normalize_email(email).lower(), **fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **fields: Any) -> "User":
        # The break-glass account for the Django admin (see openimi/web/admin_site.py); it is not
        # the operator, whose work is done on OpenIMI's own pages by an ordinary account.
        fields.update(is_staff=True, is_superuser=True)
        return self.create_user(email, password, **fields)


class User(AbstractBaseUser, PermissionsMixin):
    """A person. Signs in with e-mail, password and a second factor."""

    email = models.EmailField(_("e-mail address"), unique=True)
    full_name = models.CharField(_("full name"), max_length=200)  # personal data
    phone = models.CharField(_("phone"), max_length=50, blank=True)  # personal data
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES, default=settings.LANGUAGE_CODE)
    notification_mode = models.CharField(
        _("e-mail notifications"),
        max_length=16,
        default="immediate",
        choices=[("immediate", _("One e-mail for each event")), ("digest", _("One e-mail a day with everything"))],
    )
    is_active = models.BooleanField(_("active"), default=True)
    is_staff = models.BooleanField(_("may use the admin site"), default=False)
    is_operator = models.BooleanField(
        _("operator"), default=False, help_text=_("Manages reference data and national coordinators.")
    )
    is_demo = models.BooleanField(
        _("demo account"), default=False, help_text=_("May sign in without a second factor in demo mode.")
    )
    date_joined = models.DateTimeField(_("joined"), default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [models.UniqueConstraint(Lower("email"), name="user_email_ci_unique")]

    def __str__(self) -> str:
        return self.full_name or self.email

    def get_full_name(self) -> str:
        return self.full_name

    def get_short_name(self) -> str:
        return self.full_name.split(" ")[0] if self.full_name else self.email


class Role(models.TextChoices):
    """What a member may do in an authority. Granted per legal area, or for all of them."""

    LOCAL_ADMIN = "local_admin", pgettext_lazy("role", "Local administrator")
    REQUEST_HANDLER = "request_handler", pgettext_lazy("role", "Request handler")
    REQUEST_ALLOCATOR = "request_allocator", pgettext_lazy("role", "Request allocator")
    ALERT_HANDLER = "alert_handler", pgettext_lazy("role", "Alert handler")
    OBSERVER = "observer", pgettext_lazy("role", "Observer")


# What each role may do, in a sentence, for the pages where roles are given (the one place:
# the checks themselves are the workflow table's and directory/permissions.py's).
ROLE_DESCRIPTIONS = {
    Role.LOCAL_ADMIN: _(
        "Keeps the authority's entry in the directory, its users and their roles, its API tokens and its "
        "data-subject requests. In a coordinator authority, also acts as the coordinator. Reads the "
        "authority's requests."
    ),
    Role.REQUEST_HANDLER: _(
        "Writes and sends requests, accepts and answers incoming ones, asks for and gives clarification, "
        "and closes requests, in the legal areas of the role."
    ),
    Role.REQUEST_ALLOCATOR: _(
        "Accepts or forwards incoming requests and allocates them to a handler, in the legal areas of the "
        "role; does not answer them."
    ),
    Role.ALERT_HANDLER: _("Handles alerts in the legal areas of the role. Reads the authority's requests."),
    Role.OBSERVER: _("Reads the authority's requests in the legal areas of the role, without acting on them."),
}


def role_descriptions() -> list[tuple[Any, Any]]:
    """(role label, what it may do) for every role, in the roles' order."""
    return [(role.label, ROLE_DESCRIPTIONS[role]) for role in Role]


class Membership(models.Model):
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    authority = models.ForeignKey("directory.Authority", on_delete=models.CASCADE, related_name="memberships")
    created_at = models.DateTimeField(_("added"), default=timezone.now)
    # Not a column: the readable roles, filled in for the dashboard by directory.selectors.dashboard_for.
    role_labels: list[str]

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [models.UniqueConstraint(fields=["user", "authority"], name="membership_unique")]

    def __str__(self) -> str:
        return f"{self.user} @ {self.authority_id}"


class RoleGrant(models.Model):
    """One role of a member; ``legal_area`` empty means every area of the authority."""

    membership = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="roles")
    role = models.CharField(_("role"), max_length=32, choices=Role.choices)
    legal_area = models.ForeignKey(
        "core.LegalArea", null=True, blank=True, on_delete=models.CASCADE, verbose_name=_("legal area")
    )

    class Meta:
        verbose_name = _("role")
        verbose_name_plural = _("roles")
        constraints = [
            models.UniqueConstraint(fields=["membership", "role", "legal_area"], name="rolegrant_unique"),
            models.CheckConstraint(condition=models.Q(role__in=Role.values), name="rolegrant_role_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.role} ({self.legal_area_id or '*'})"


class ApiToken(models.Model):
    """A bearer token for back-office systems, scoped to one authority of its user.

    Only a SHA-256 of the token is stored; the token itself is shown once when issued.
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    authority = models.ForeignKey("directory.Authority", on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(pgettext_lazy("API token", "name"), max_length=100)
    prefix = models.CharField(max_length=12, db_index=True)
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @staticmethod
    def digest_for(raw: str) -> str:
        return hashlib.sha256(raw.encode()).hexdigest()


class RateCounter(models.Model):
    """One fixed-window request counter (``lib/ratelimit.py`` reads and writes it with one SQL
    statement). ``counter_key`` is a SHA-256 of the group, key and rate: no address is kept."""

    counter_key = models.CharField(max_length=64, primary_key=True)
    window_end = models.BigIntegerField(db_index=True)  # Unix time; pruned a day after
    hits = models.PositiveIntegerField()

    class Meta:
        db_table = "openimi_rate_counter"

    def __str__(self) -> str:
        return f"{self.counter_key[:8]}… {self.hits}"
