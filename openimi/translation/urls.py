from django.urls import path

from openimi.translation import views

app_name = "translation"
urlpatterns = [
    path("etranslation/<str:token>/done", views.etranslation_done, name="etranslation_done"),
    path("etranslation/<str:token>/error", views.etranslation_error, name="etranslation_error"),
]
