from django.contrib import admin

from openimi.core import models


@admin.register(models.Language)
class LanguageAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "is_interface_language"]


@admin.register(models.Country)
class CountryAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "default_language", "is_active"]


@admin.register(models.Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "country", "kind"]
    list_filter = ["country"]
    search_fields = ["code", "name"]


@admin.register(models.LegalArea)
class LegalAreaAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "is_active"]


@admin.register(models.Vocabulary)
class VocabularyAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "legal_area", "kind"]


@admin.register(models.Term)
class TermAdmin(admin.ModelAdmin):
    list_display = ["code", "label", "vocabulary"]
    list_filter = ["vocabulary"]
    search_fields = ["code"]
