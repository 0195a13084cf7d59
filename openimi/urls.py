from django.contrib import admin
from django.urls import include, path, reverse_lazy
from django.views.generic import RedirectView

from openimi.api.api import api

urlpatterns = [
    path("", include("openimi.web.urls")),
    path("accounts/", include("openimi.accounts.urls")),
    path("accounts/webauthn/", include("openimi.accounts.webauthn_urls")),  # security keys (namespace otp_webauthn)
    path("directory/", include("openimi.directory.urls")),
    path("operator/", include("openimi.operator.urls")),  # the operator: reference data, no exchange content
    path("requests/", include("openimi.exchanges.urls")),
    path("notifications/", include("openimi.notifications.urls")),
    path("translation/", include("openimi.translation.urls")),
    path("data-protection/", include("openimi.privacy.urls")),
    path("api/v1/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    # The admin signs in through OpenIMI's own two-factor sign-in, never its own form.
    path("admin/login/", RedirectView.as_view(url=reverse_lazy("accounts:login"), query_string=True)),
    path("admin/", admin.site.urls),
]
