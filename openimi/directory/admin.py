from django.contrib import admin

from openimi.directory.models import Authority, AuthorityEvent, AuthorityText, CoordinatorFunction


class AuthorityTextInline(admin.TabularInline):
    model = AuthorityText
    extra = 0


@admin.register(Authority)
class AuthorityAdmin(admin.ModelAdmin):
    """Read-mostly: changes to authorities go through the directory pages, which record events."""

    list_display = ["official_name", "country", "region", "status", "kind"]
    list_filter = ["status", "country", "kind"]
    search_fields = ["official_name", "city"]
    raw_id_fields = ["parent_coordinator", "region"]
    inlines = [AuthorityTextInline]
    filter_horizontal = ["competences"]


@admin.register(CoordinatorFunction)
class CoordinatorFunctionAdmin(admin.ModelAdmin):
    list_display = ["authority", "kind", "country"]
    list_filter = ["kind", "country"]
    raw_id_fields = ["authority"]


@admin.register(AuthorityEvent)
class AuthorityEventAdmin(admin.ModelAdmin):
    list_display = ["at", "authority", "action", "actor"]
    list_filter = ["action"]
    raw_id_fields = ["authority", "actor"]

    def has_change_permission(self, request, obj=None):
        return False  # the event log is append-only

    def has_delete_permission(self, request, obj=None):
        return False
