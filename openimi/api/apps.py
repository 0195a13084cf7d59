from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "openimi.api"
    label = "api"
