from django.contrib import admin

from openimi.core import models
from openimi.web.admin_site import AuditedModelAdmin


@admin.register(models.Language)
class LanguageAdmin(AuditedModelAdmin):
    list_display = ["code", "name", "is_interface_language"]


@admin.register(models.Country)
class CountryAdmin(AuditedModelAdmin):
    list_display = ["code", "name", "default_language", "is_active"]


@admin.register(models.Region)
class RegionAdmin(AuditedModelAdmin):
    list_display = ["code", "name", "country", "kind"]
    list_filter = ["country"]
    search_fields = ["code", "name"]


@admin.register(models.LegalArea)
class LegalAreaAdmin(AuditedModelAdmin):
    list_display = ["code", "name", "is_active"]


@admin.register(models.Vocabulary)
class VocabularyAdmin(AuditedModelAdmin):
    list_display = ["code", "name", "legal_area", "kind"]


@admin.register(models.Term)
class TermAdmin(AuditedModelAdmin):
    list_display = ["code", "label", "vocabulary"]
    list_filter = ["vocabulary"]
    search_fields = ["code"]
