from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class WebConfig(AppConfig):
    default = True  # the admin's configuration below lives here too
    name = "openimi.web"
    label = "web"


class BreakGlassAdminConfig(admin_apps.AdminConfig):
    """The Django admin on :class:`openimi.web.admin_site.BreakGlassAdminSite`."""

    default = False
    default_site = "openimi.web.admin_site.BreakGlassAdminSite"
