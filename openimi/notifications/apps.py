from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "openimi.notifications"
    label = "notifications"
