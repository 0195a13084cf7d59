from django.urls import path

from openimi.privacy import views

app_name = "privacy"
urlpatterns = [
    path("subject-requests/", views.subject_request_list_view, name="subject_requests"),
    path("subject-requests/new/", views.subject_request_create_view, name="subject_request_create"),
    path("subject-requests/<int:pk>/", views.subject_request_detail_view, name="subject_request"),
    path("subject-requests/<int:pk>/export.json", views.export_json_view, name="export_json"),
    path("subject-requests/<int:pk>/print/", views.export_print_view, name="export_print"),
    path("subject-requests/<int:pk>/complete/", views.complete_view, name="complete"),
    path("subject-requests/<int:pk>/requests/<int:request_pk>/rectify/", views.rectify_view, name="rectify"),
    path("subject-requests/<int:pk>/requests/<int:request_pk>/contest/", views.contest_view, name="contest"),
    path("contest-marks/<int:pk>/lift/", views.contest_lift_view, name="contest_lift"),
    path("audit/", views.audit_view, name="audit"),
]
