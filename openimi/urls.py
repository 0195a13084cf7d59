from django.contrib import admin
from django.urls import include, path

from openimi.api.api import api

urlpatterns = [
    path("", include("openimi.web.urls")),
    path("accounts/", include("openimi.accounts.urls")),
    path("directory/", include("openimi.directory.urls")),
    path("api/v1/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
]
