from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "openimi.web"
    label = "web"
