from django.urls import path
from django.views.generic import RedirectView

from openimi.directory import views

app_name = "directory"
urlpatterns = [
    path("", views.authority_list_view, name="list"),
    path("tokens/<int:pk>/revoke/", views.token_revoke_view, name="token_revoke"),
    path("suggest/", views.suggest_view, name="suggest"),
    path("users/", views.users_view, name="users"),
    path("<int:pk>/", views.authority_detail_view, name="detail"),
    path("<int:pk>/edit/", views.authority_edit_view, name="edit"),
    path("<int:pk>/areas/", views.authority_areas_view, name="areas"),
    path("<int:pk>/validate/", views.authority_validate_view, name="validate"),
    path("<int:pk>/suspend/", views.authority_suspend_view, name="suspend"),
    path("<int:pk>/reactivate/", views.authority_reactivate_view, name="reactivate"),
    path("<int:pk>/members/", views.members_view, name="members"),
    path("<int:pk>/members/<int:member_pk>/", views.member_edit_view, name="member_edit"),
    path("register/", views.authority_register_view, name="register"),
    path("invite/", views.authority_invite_view, name="invite"),
    path("join/<str:token>/", views.join_view, name="join"),
    path("import/", views.import_view, name="import"),
    path("operator/", views.operator_view, name="operator"),
    # The coordination page moved to the requests (it lists requests to approve and escalated
    # ones); bookmarks of its old address keep working.
    path("coordination/", RedirectView.as_view(pattern_name="exchanges:coordination", permanent=True)),
]
