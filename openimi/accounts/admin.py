from django.contrib import admin

from openimi.accounts.models import ApiToken, Membership, RoleGrant, User


class RoleGrantInline(admin.TabularInline):
    model = RoleGrant
    extra = 0


@admin.register(User)
class UserAdmin(admin.ModelAdmin):
    list_display = ["email", "full_name", "language", "is_active", "is_operator", "is_demo", "last_login"]
    list_filter = ["is_active", "is_operator", "is_demo", "language"]
    search_fields = ["email", "full_name"]
    exclude = ["password", "groups", "user_permissions"]
    readonly_fields = ["last_login", "date_joined"]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "authority", "created_at"]
    raw_id_fields = ["user", "authority"]
    search_fields = ["user__email", "authority__official_name"]
    inlines = [RoleGrantInline]


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["name", "prefix", "user", "authority", "created_at", "last_used_at", "revoked_at"]
    raw_id_fields = ["user", "authority"]
    readonly_fields = ["prefix", "digest", "created_at", "last_used_at"]
