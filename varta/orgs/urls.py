from django.urls import path

from varta.orgs import views

app_name = "orgs"

urlpatterns = [
    path("mine/", views.detail, name="detail"),
    path("mine/edit/", views.edit, name="edit_own"),
    path("mine/members/new/", views.member_create, name="member_create"),
    path("mine/members/<int:member_id>/", views.member_edit, name="member_edit"),
    path("mine/members/<int:member_id>/active/", views.member_set_active, name="member_set_active"),
    path("mine/members/<int:member_id>/reset-two-factor/", views.member_reset_two_factor, name="member_reset_2fa"),
    path("", views.organisation_list, name="list"),
    path("new/", views.organisation_create, name="create"),
    path("<int:organisation_id>/edit/", views.edit, name="edit"),
    path("<int:organisation_id>/active/", views.organisation_set_active, name="set_active"),
]
