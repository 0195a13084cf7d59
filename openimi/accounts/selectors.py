from django_otp_webauthn.models import WebAuthnCredential

from openimi.accounts.models import ApiToken


def api_tokens_of(user):
    return (
        ApiToken.objects.filter(user=user, revoked_at__isnull=True).select_related("authority").order_by("-created_at")
    )


def security_keys_of(user):
    """The user's own security keys (WebAuthn credentials), newest first; nobody sees another's."""
    return WebAuthnCredential.objects.filter(user=user, confirmed=True).order_by("-created_at", "-pk")
