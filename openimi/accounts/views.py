"""Sign-in in two steps (password, then a TOTP code), second-factor enrolment, language."""

import time
from io import BytesIO

import qrcode
import qrcode.image.svg
from axes.handlers.proxy import AxesProxyHandler
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import authenticate, login, logout, user_login_failed
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from openimi.accounts import services
from openimi.accounts.forms import LanguageForm, LoginForm, TokenForm
from openimi.accounts.models import User
from openimi.accounts.selectors import api_tokens_of

PENDING_KEY = "openimi_pending_login"
PENDING_SECONDS = 300  # the password step is valid for five minutes


def locked_out(request, credentials=None, *args, **kwargs):
    return render(request, "accounts/locked.html", {"minutes": int(settings.AXES_COOLOFF_TIME * 60)}, status=429)


def _safe_next(request, candidate: str | None) -> str:
    if candidate and url_has_allowed_host_and_scheme(candidate, {request.get_host()}, request.is_secure()):
        return candidate
    return settings.LOGIN_REDIRECT_URL


def _finish_login(request, user, backend: str, next_url: str, device=None):
    request.session.pop(PENDING_KEY, None)
    login(request, user, backend=backend)
    if device is not None:
        otp_login(request, device)
    response = redirect(next_url)
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
            has_device = TOTPDevice.objects.filter(user=user, confirmed=True).exists()
            return redirect("accounts:verify" if has_device else "accounts:setup")
    return render(request, "accounts/login.html", {"form": form, "next": next_url})


def _pending_user(request) -> tuple[User | None, dict]:
    pending = request.session.get(PENDING_KEY) or {}
    if not pending or time.time() - pending.get("at", 0) > PENDING_SECONDS:
        return None, {}
    user = User.objects.filter(pk=pending["id"], is_active=True).first()
    return user, pending


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
    if device is None:
        return redirect("accounts:setup")
    form = TokenForm(request.POST or None)
    if request.method == "POST":
        if _check_code(request, user, device, form):
            return _finish_login(request, user, pending["backend"], pending["next"], device)
        if AxesProxyHandler.is_locked(request, {"username": user.email}):
            request.session.pop(PENDING_KEY, None)
            return locked_out(request)
    return render(request, "accounts/verify.html", {"form": form})


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
    if TOTPDevice.objects.filter(user=user, confirmed=True).exists():
        return redirect("accounts:verify")
    device, _created = TOTPDevice.objects.get_or_create(user=user, confirmed=False, defaults={"name": "authenticator"})
    form = TokenForm(request.POST or None)
    if request.method == "POST" and _check_code(request, user, device, form):
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        return _finish_login(request, user, pending["backend"], pending["next"], device)
    if request.method == "POST" and AxesProxyHandler.is_locked(request, {"username": user.email}):
        return locked_out(request)
    from base64 import b32encode

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
        },
    )
