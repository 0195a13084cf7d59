from django.contrib import admin

from openimi.directory.models import Authority, AuthorityText, CoordinatorFunction
from openimi.web.admin_site import ReadOnly, ReadOnlyModelAdmin


class AuthorityTextInline(ReadOnly, admin.TabularInline):
    model = AuthorityText
    extra = 0


@admin.register(Authority)
class AuthorityAdmin(ReadOnlyModelAdmin):
    """Read-only: changes to authorities go through the directory pages, which record events.
    The authority's history (with who did what) and its members are not on the admin."""

    list_display = ["official_name", "country", "region", "status", "kind"]
    list_filter = ["status", "country", "kind"]
    search_fields = ["official_name", "city"]
    inlines = [AuthorityTextInline]


@admin.register(CoordinatorFunction)
class CoordinatorFunctionAdmin(ReadOnlyModelAdmin):
    """Read-only: the operator appoints national coordinators on its own page (with an event)."""

    list_display = ["authority", "kind", "country"]
    list_filter = ["kind", "country"]
    exclude = ["created_by"]  # an official: personal data
