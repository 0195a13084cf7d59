from django.urls import path

from openimi.notifications import views

app_name = "notifications"
urlpatterns = [
    path("", views.notification_list_view, name="list"),
    path("read/", views.notifications_read_view, name="read"),
    path("preference/", views.notification_mode_view, name="mode"),
]
