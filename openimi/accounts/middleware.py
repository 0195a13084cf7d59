from django.conf import settings
from django.shortcuts import redirect
from django.utils import translation

# Paths a signed-in user without a verified second factor may still reach.
_OPEN_PREFIXES = ("/accounts/", "/static/", "/i18n/", "/healthz", "/api/")


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
            from django.contrib.auth import logout

            logout(request)
            return redirect(settings.LOGIN_URL)
        return self.get_response(request)
