import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from openimi.lib.ratelimit import client_address, seconds_to_wait

# Paths a signed-in user without a verified second factor may still reach: the sign-in pages
# only, not the whole of /accounts/ (the profile, its security keys and the saved language).
_OPEN_PREFIXES = (
    "/accounts/login/",
    "/accounts/logout/",
    "/accounts/password/",
    "/static/",
    "/i18n/",
    "/healthz",
    "/api/",
)


class UserLanguageMiddleware:
    """A signed-in user's saved language wins over cookie and browser (LocaleMiddleware
    already chose those for anonymous visitors)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.language:
            translation.activate(user.language)
            request.LANGUAGE_CODE = user.language
        return self.get_response(request)


def second_factor_satisfied(request) -> bool:
    user = request.user
    if not user.is_authenticated:
        return True
    if settings.DEMO_MODE and user.is_demo:
        return True
    return user.is_verified()


class SecondFactorRequiredMiddleware:
    """Safety net: a session that somehow lacks a verified second factor gets nowhere."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not second_factor_satisfied(request) and not request.path.startswith(_OPEN_PREFIXES):
            logout(request)
            return redirect(settings.LOGIN_URL)
        return self.get_response(request)


class IdleTimeoutMiddleware:
    """Sign out a session left idle longer than SESSION_IDLE_SECONDS. The timestamp is written
    at most once a minute, so ordinary browsing does not save the session on every request."""

    KEY = "openimi_last_seen"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            now = int(time.time())
            last = request.session.get(self.KEY, now)
            if now - last > settings.SESSION_IDLE_SECONDS:
                logout(request)
                messages.info(request, _("You were signed out after a period without activity."))
                return redirect(f"{reverse(settings.LOGIN_URL)}?{urlencode({'next': request.get_full_path()})}")
            if now - last >= 60 or self.KEY not in request.session:
                request.session[self.KEY] = now
        return self.get_response(request)


# Views whose POSTs count against SIGN_IN_RATE_LIMIT, per address: the password, the second
# factor (a code, or a security key's answer) and password reset.
SIGN_IN_VIEWS = frozenset(
    {
        "accounts:login",
        "accounts:verify",
        "accounts:setup",
        "accounts:password_reset",
        "accounts:password_reset_confirm",
        "otp_webauthn:credential-authentication-begin",
        "otp_webauthn:credential-authentication-complete",
    }
)


class SignInRateLimitMiddleware:
    """Refuse sign-in POSTs from an address beyond SIGN_IN_RATE_LIMIT with a 429 page. This is
    about request rate; django-axes separately locks an account and address after failures."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if request.method != "POST" or request.resolver_match.view_name not in SIGN_IN_VIEWS:
            return None
        wait = seconds_to_wait(request, group="sign-in", key=client_address(request), rate=settings.SIGN_IN_RATE_LIMIT)
        if wait is None:
            return None
        response = render(request, "accounts/rate_limited.html", {"seconds": wait}, status=429)
        response["Retry-After"] = str(wait)
        return response
