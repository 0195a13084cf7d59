from django.urls import path

from openimi.exchanges import views

app_name = "exchanges"
urlpatterns = [
    path("", views.box_view, {"box": "inbox"}, name="inbox"),
    path("outbox/", views.box_view, {"box": "outbox"}, name="outbox"),
    path("new/", views.compose_view, name="compose"),
    path("coordination/", views.coordination_view, name="coordination"),
    path("<int:pk>/", views.detail_view, name="detail"),
    path("<int:pk>/edit/", views.compose_view, name="edit"),
    path("<int:pk>/act/", views.action_view, name="act"),
    path("<int:pk>/act/<str:action>/", views.confirm_view, name="confirm"),
    path("<int:pk>/answer/", views.answer_view, name="answer"),
    path("<int:pk>/attachments/", views.upload_view, name="upload"),
    path("<int:pk>/attachments/<int:attachment_pk>/", views.download_view, name="download"),
]
