"""Sign-in in two steps (password, then a TOTP code or a security key), second-factor
enrolment, security keys on the profile, language."""

import logging
import time
from base64 import b32encode
from io import BytesIO

import qrcode
import qrcode.image.svg
from axes.handlers.proxy import AxesProxyHandler
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import authenticate, login, logout, user_login_failed
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render, resolve_url
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp_webauthn import exceptions as webauthn_errors
from django_otp_webauthn import views as webauthn_views
from django_otp_webauthn.utils import rewrite_exceptions

from openimi.accounts import services
from openimi.accounts.forms import LanguageForm, LoginForm, TokenForm
from openimi.accounts.models import User
from openimi.accounts.selectors import api_tokens_of, security_keys_of

PENDING_KEY = "openimi_pending_login"
PENDING_SECONDS = 300  # the password step is valid for five minutes


def locked_out(request, credentials=None, *args, **kwargs):
    if request.content_type == "application/json":  # the security-key script shows the message
        error = _locked_error()
        return JsonResponse({"detail": str(error), "code": error.code}, status=error.status_code)
    return render(request, "accounts/locked.html", {"minutes": int(settings.AXES_COOLOFF_TIME * 60)}, status=429)


def _safe_next(request, candidate: str | None) -> str:
    if candidate and url_has_allowed_host_and_scheme(candidate, {request.get_host()}, request.is_secure()):
        return candidate
    return settings.LOGIN_REDIRECT_URL


def _finish_login(request, user, backend: str, next_url: str, device=None, response=None):
    request.session.pop(PENDING_KEY, None)
    login(request, user, backend=backend)
    if device is not None:
        otp_login(request, device)
    response = response or redirect(next_url)
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME, user.language, samesite="Lax", secure=settings.LANGUAGE_COOKIE_SECURE
    )
    return response


@never_cache
def login_view(request):
    form = LoginForm(request.POST or None)
    next_url = _safe_next(request, request.POST.get("next") or request.GET.get("next"))
    if request.method == "POST" and form.is_valid():
        user = authenticate(
            request, username=form.cleaned_data["username"].lower(), password=form.cleaned_data["password"]
        )
        if getattr(request, "axes_locked_out", False):
            return locked_out(request)
        if user is None:
            form.add_error(None, _("The e-mail address or the password is not correct."))
        elif settings.DEMO_MODE and user.is_demo:
            return _finish_login(request, user, user.backend, next_url)
        else:
            request.session[PENDING_KEY] = {"id": user.pk, "backend": user.backend, "next": next_url, "at": time.time()}
            return redirect("accounts:verify" if _has_second_factor(user) else "accounts:setup")
    return render(request, "accounts/login.html", {"form": form, "next": next_url})


def _pending_user(request) -> tuple[User | None, dict]:
    pending = request.session.get(PENDING_KEY) or {}
    if not pending or time.time() - pending.get("at", 0) > PENDING_SECONDS:
        return None, {}
    user = User.objects.filter(pk=pending["id"], is_active=True).first()
    return user, pending


def _has_second_factor(user) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists() or security_keys_of(user).exists()


def _check_code(request, user, device, form) -> bool:
    """Verify a TOTP code; a wrong code counts as a failed sign-in for the lockout."""
    credentials = {"username": user.email}
    if AxesProxyHandler.is_locked(request, credentials):
        return False
    if form.is_valid() and device.verify_is_allowed()[0] and device.verify_token(form.cleaned_data["otp_token"]):
        return True
    if form.is_valid():
        form.add_error("otp_token", _("This code is not correct or has expired. Enter the code now shown by your app."))
    user_login_failed.send(sender=__name__, credentials=credentials, request=request)
    return False


@never_cache
def verify_view(request):
    user, pending = _pending_user(request)
    if user is None:
        messages.info(request, _("Your sign-in has timed out. Please sign in again."))
        return redirect("accounts:login")
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    has_keys = security_keys_of(user).exists()
    if device is None and not has_keys:
        return redirect("accounts:setup")
    form = TokenForm(request.POST or None) if device is not None else None
    if request.method == "POST" and form is not None:
        if _check_code(request, user, device, form):
            return _finish_login(request, user, pending["backend"], pending["next"], device)
        if AxesProxyHandler.is_locked(request, {"username": user.email}):
            request.session.pop(PENDING_KEY, None)
            return locked_out(request)
    return render(request, "accounts/verify.html", {"form": form, "has_keys": has_keys})


def _qr_svg(data: str) -> str:
    image = qrcode.make(data, image_factory=qrcode.image.svg.SvgPathImage, box_size=10)
    buffer = BytesIO()
    image.save(buffer)
    svg = buffer.getvalue().decode()
    return svg[svg.index("<svg") :]


@never_cache
def setup_view(request):
    """First sign-in: enrol an authenticator app, prove it works with one code."""
    user, pending = _pending_user(request)
    if user is None:
        messages.info(request, _("Your sign-in has timed out. Please sign in again."))
        return redirect("accounts:login")
    if _has_second_factor(user):
        return redirect("accounts:verify")
    device, _created = TOTPDevice.objects.get_or_create(user=user, confirmed=False, defaults={"name": "authenticator"})
    form = TokenForm(request.POST or None)
    if request.method == "POST" and _check_code(request, user, device, form):
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        return _finish_login(request, user, pending["backend"], pending["next"], device)
    if request.method == "POST" and AxesProxyHandler.is_locked(request, {"username": user.email}):
        return locked_out(request)
    secret = b32encode(device.bin_key).decode()
    return render(
        request,
        "accounts/setup.html",
        {
            "form": form,
            "qr": mark_safe(_qr_svg(device.config_url)),  # noqa: S308 - SVG generated by qrcode from our own data
            "secret": " ".join(secret[i : i + 4] for i in range(0, len(secret), 4)),
        },
    )


@require_POST
def logout_view(request):
    logout(request)
    messages.success(request, _("You have signed out."))
    return redirect("web:home")


@require_POST
def language_view(request):
    """The switcher on every page: remembered in a cookie, and saved on the user's profile."""
    form = LanguageForm(request.POST)
    next_url = _safe_next(request, request.POST.get("next"))
    if not form.is_valid():
        messages.error(request, _("Choose a language from the list."))
        return redirect(next_url)
    language = form.cleaned_data["language"]
    if request.user.is_authenticated:
        try:
            services.user_set_language(actor=request.user, language=language)
        except ValidationError:
            pass
    response = redirect(next_url)
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        samesite="Lax",
        secure=settings.LANGUAGE_COOKIE_SECURE,
        max_age=365 * 24 * 3600,
    )
    return response


@login_required
def profile_view(request):
    return render(
        request,
        "accounts/profile.html",
        {
            "form": LanguageForm(initial={"language": request.user.language}),
            "tokens": api_tokens_of(request.user),
            "security_keys": security_keys_of(request.user),
        },
    )


@login_required
@never_cache
def security_key_remove_view(request, pk: int):
    key = get_object_or_404(security_keys_of(request.user), pk=pk)
    error = None
    if request.method == "POST":
        try:
            services.security_key_remove(actor=request.user, key=key)
        except ValidationError as exc:
            error = exc.messages[0]
        else:
            messages.success(request, _("The security key has been removed."))
            return redirect("accounts:profile")
    return render(
        request,
        "accounts/security_key_remove.html",
        {"key": key, "error": error, "has_errors": bool(error)},
        status=400 if error else 200,
    )


# Security keys (WebAuthn). django-otp-webauthn runs the ceremonies and its JavaScript talks to
# these views; we only decide whose keys they are and what happens around them. They answer
# JSON, and every failure is a JSON error the script shows, never a server error.

logger = logging.getLogger("django_otp_webauthn")


# The library lets a few malformed answers through as plain errors (for one, an unsigned
# clientExtensionResults of the wrong type raises TypeError): they are the client's mistake.
_MALFORMED = (ValueError, TypeError, KeyError)


class _JsonErrorsMixin:
    def handle_exception(self, exc):
        if isinstance(exc, _MALFORMED):
            logger.info("Malformed WebAuthn request: %r", exc)
            exc = webauthn_errors.UnprocessableEntity()
        return super().handle_exception(exc)


class SecurityKeyLocked(webauthn_errors.OTPWebAuthnApiError):
    status_code = 429
    default_code = "locked_out"


class _PendingSignInMixin(_JsonErrorsMixin):
    """At sign-in the key is checked for the person whose password was just accepted (pending in
    the session, see login_view); there is no sign-in with a key alone."""

    def get_user(self):
        return _pending_user(self.request)[0]

    def check_can_authenticate(self):
        user = self.get_user()
        if user is None:
            raise webauthn_errors.NotAuthenticated(detail=_("Your sign-in has timed out. Please sign in again."))
        if AxesProxyHandler.is_locked(self.request, {"username": user.email}):
            raise _locked_error()


def _locked_error() -> SecurityKeyLocked:
    minutes = int(settings.AXES_COOLOFF_TIME * 60)
    return SecurityKeyLocked(
        detail=ngettext(
            "There were too many failed attempts. Try again in %(counter)s minute.",
            "There were too many failed attempts. Try again in %(counter)s minutes.",
            minutes,
        )
        % {"counter": minutes}
    )


class SecurityKeySignInBeginView(_PendingSignInMixin, webauthn_views.BeginCredentialAuthenticationView):
    pass


class SecurityKeySignInCompleteView(_PendingSignInMixin, webauthn_views.CompleteCredentialAuthenticationView):
    """A key that does not verify counts as a failed sign-in for the lockout, like a wrong code."""

    def post(self, *args, **kwargs):
        request = self.request
        user, pending = _pending_user(request)
        try:
            state = self.get_state()
            with rewrite_exceptions(logger=logger):
                device = self.get_helper().authenticate_complete(user=user, state=state, data=request.data)
            self.check_device_usable(device)
        except (webauthn_errors.OTPWebAuthnApiError, *_MALFORMED):
            credentials = {"username": user.email}
            user_login_failed.send(sender=__name__, credentials=credentials, request=request)
            if AxesProxyHandler.is_locked(request, credentials):
                request.session.pop(PENDING_KEY, None)
                raise _locked_error() from None
            raise
        response = JsonResponse({"id": device.pk, "redirect_url": resolve_url(pending["next"])})
        return _finish_login(request, user, pending["backend"], pending["next"], device, response=response)


class SecurityKeyRegisterBeginView(_JsonErrorsMixin, webauthn_views.BeginCredentialRegistrationView):
    pass


class SecurityKeyRegisterCompleteView(_JsonErrorsMixin, webauthn_views.CompleteCredentialRegistrationView):
    """The library's view (signed-in and second factor passed), storing through our service."""

    def post(self, *args, **kwargs):
        user = self.get_user()
        state = self.get_state()
        with rewrite_exceptions(logger=logger):
            key = services.security_key_register(
                actor=user, helper=self.get_helper(), state=state, data=self.request.data
            )
        if not self.request.user.is_verified():
            otp_login(self.request, key)
        messages.success(self.request, _("Your security key has been added."))
        return JsonResponse({"id": key.pk})
