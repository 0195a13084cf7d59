"""The Django admin, kept only as a break-glass tool for a superuser created with
``manage.py createsuperuser`` (see README). The operator has OpenIMI's own pages instead.

What makes it safe to keep:
- only reference data and the public directory are on it (``ALLOWED_MODELS``): nothing with
  exchange content, officials' personal data or secrets. Third-party apps (django-otp, axes,
  django-tasks-db, django-otp-webauthn, django.contrib.auth) register their own admins when
  the admin is autodiscovered; ``register`` is the one place that drops them, so a new
  dependency cannot reopen the admin to secrets without a change here;
- every admin class is an :class:`AuditedModelAdmin`: each addition, change and deletion is
  written to the audit log, and so is each admin session's first page (its "sign-in": the
  admin has no sign-in form of its own, it uses OpenIMI's two-factor sign-in);
- only an active superuser whose session passed the second factor gets in, even in demo mode;
  anybody else signed in gets a 404.
"""

from functools import wraps

from django.conf import settings
from django.contrib import admin
from django.core.exceptions import ImproperlyConfigured
from django.db.models.base import ModelBase
from django.http import Http404

from openimi.privacy.audit import audit

# Lower-case model labels the break-glass admin may show. Each must hold no SUBJECT or USER
# field of openimi.privacy.personal_data and no secret (openimi/web/tests/test_admin_lockdown.py).
ALLOWED_MODELS = frozenset(
    {
        "core.language",
        "core.country",
        "core.region",
        "core.legalarea",
        "core.vocabulary",
        "core.term",
        "directory.authority",
        "directory.coordinatorfunction",
        "questionnaires.questionset",
    }
)
SESSION_KEY = "openimi_admin_audited"


class AuditedModelAdmin(admin.ModelAdmin):
    """Writes every change made in the admin to the audit log, besides Django's own LogEntry."""

    def log_addition(self, request, obj, message):
        audit(actor=request.user, action="admin.added", obj=obj, message=str(message))
        return super().log_addition(request, obj, message)

    def log_change(self, request, obj, message):
        audit(actor=request.user, action="admin.changed", obj=obj, message=str(message))
        return super().log_change(request, obj, message)

    def log_deletions(self, request, queryset):
        for obj in queryset:
            audit(actor=request.user, action="admin.deleted", obj=obj, name=str(obj))
        return super().log_deletions(request, queryset)


class ReadOnly:
    """Admin classes and inlines that show data without letting anyone change it there."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyModelAdmin(ReadOnly, AuditedModelAdmin):
    """For data whose changes must go through a service that records an event."""


class BreakGlassAdminSite(admin.AdminSite):
    site_header = site_title = settings.ADMIN_SITE_HEADER

    def register(self, model_or_iterable, admin_class=None, **options):
        models = [model_or_iterable] if isinstance(model_or_iterable, ModelBase) else list(model_or_iterable)
        allowed = [m for m in models if m._meta.label_lower in ALLOWED_MODELS]
        if not allowed:
            return  # see the module docstring: everything else stays off the admin
        if admin_class is None or not issubclass(admin_class, AuditedModelAdmin):
            raise ImproperlyConfigured(f"{allowed[0]._meta.label} needs an AuditedModelAdmin on the admin site.")
        super().register(allowed, admin_class, **options)

    def has_permission(self, request):
        user = request.user
        return bool(user.is_active and user.is_superuser and user.is_staff and user.is_verified())

    def admin_view(self, view, cacheable=False):
        inner = super().admin_view(view, cacheable)

        @wraps(view)
        def guarded(request, *args, **kwargs):
            if request.user.is_authenticated and not self.has_permission(request):
                raise Http404
            if self.has_permission(request) and not request.session.get(SESSION_KEY):
                audit(actor=request.user, action="admin.signed_in", path=request.path[:200])
                request.session[SESSION_KEY] = True
            return inner(request, *args, **kwargs)

        return guarded
