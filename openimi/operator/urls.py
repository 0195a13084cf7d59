from django.urls import path

from openimi.operator import views

app_name = "operator"
urlpatterns = [
    path("countries/", views.countries_view, name="countries"),
    path("countries/<str:code>/", views.country_view, name="country"),
    path("languages/", views.languages_view, name="languages"),
    path("languages/<str:code>/", views.language_view, name="language"),
    path("legal-areas/", views.legal_areas_view, name="legal_areas"),
    path("legal-areas/<slug:code>/", views.legal_area_view, name="legal_area"),
    path("vocabularies/", views.vocabularies_view, name="vocabularies"),
    path("vocabularies/<slug:code>/", views.vocabulary_view, name="vocabulary"),
    path("question-sets/", views.question_sets_view, name="question_sets"),
    path("question-sets/<int:pk>/export/", views.question_set_export_view, name="question_set_export"),
    path("statistics/", views.statistics_view, name="statistics"),
]
