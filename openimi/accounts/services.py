"""Every change to a user of their own: language, security keys. Memberships, roles and API
tokens belong to an authority: ``openimi.directory.members``."""

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django_otp import devices_for_user
from django_otp_webauthn.models import WebAuthnCredential

from openimi.accounts.models import User
from openimi.privacy.audit import audit


def user_set_language(*, actor: User, language: str) -> User:
    if language not in dict(settings.LANGUAGES):
        raise ValidationError({"language": _("Choose a language from the list.")})
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=actor.pk)
        user.language = language
        user.save(update_fields=["language"])
    actor.language = language
    return user


def security_key_register(*, actor: User, helper, state: dict, data: dict) -> WebAuthnCredential:
    """Store a new security key for ``actor`` once django-otp-webauthn's ``helper`` has checked
    the browser's answer (``data``) against the challenge kept in the session (``state``).

    The caller has made sure the session passed its second factor (the library's registration
    views do). A wrong answer raises py_webauthn's exceptions and stores nothing."""
    with transaction.atomic():
        key = helper.register_complete(user=actor, state=state, data=data)
        audit(actor=actor, action="security_key.registered", obj=key)
    return key


def security_key_remove(*, actor: User, key: WebAuthnCredential) -> None:
    """Remove one of the actor's own security keys. The last second factor stays: without it
    the next sign-in would enrol a new one with the password alone."""
    if key.user_id != actor.pk:
        raise PermissionDenied
    with transaction.atomic():
        # Locking the user serialises two removals that would each leave the other key as the last.
        User.objects.select_for_update().only("pk").get(pk=actor.pk)
        key = WebAuthnCredential.objects.select_for_update().get(pk=key.pk, user=actor)
        others = [d for d in devices_for_user(actor, confirmed=True) if d.persistent_id != key.persistent_id]
        if not others:
            raise ValidationError(
                _("This is your only second factor, so it cannot be removed. Add another security key first.")
            )
        audit(actor=actor, action="security_key.removed", obj=key)
        key.delete()
