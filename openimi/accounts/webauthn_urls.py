"""django-otp-webauthn's endpoints under its own namespace, so that its template tags and
JavaScript find them, served by our views: keys are checked at sign-in for the person who has
just given the password, and stored through our services."""

from django.urls import path
from django.views.i18n import JavaScriptCatalog

from openimi.accounts import views

app_name = "otp_webauthn"
urlpatterns = [
    path("registration/begin/", views.SecurityKeyRegisterBeginView.as_view(), name="credential-registration-begin"),
    path(
        "registration/complete/",
        views.SecurityKeyRegisterCompleteView.as_view(),
        name="credential-registration-complete",
    ),
    path("authentication/begin/", views.SecurityKeySignInBeginView.as_view(), name="credential-authentication-begin"),
    path(
        "authentication/complete/",
        views.SecurityKeySignInCompleteView.as_view(),
        name="credential-authentication-complete",
    ),
    path("jsi18n/", JavaScriptCatalog.as_view(packages=["django_otp_webauthn"]), name="js-i18n-catalog"),
]
