from django.urls import path

from varta.accounts import views

app_name = "accounts"

urlpatterns = [
    path("login/", views.login_view, name="login"),
    path("login/two-factor/", views.two_factor_view, name="two_factor"),
    path("login/recovery/", views.recovery_view, name="recovery"),
    path("two-factor/enrol/", views.enrol_view, name="enrol"),
    path("two-factor/enrol/done/", views.enrol_done_view, name="enrol_done"),
    path("two-factor/recovery-codes/", views.recovery_codes_regenerate_view, name="recovery_codes"),
    path("logout/", views.logout_view, name="logout"),
    path("organisation/", views.switch_organisation, name="switch_organisation"),
    path("profile/", views.profile_view, name="profile"),
    path("tokens/", views.tokens_view, name="tokens"),
    path("tokens/<int:token_id>/revoke/", views.token_revoke_view, name="token_revoke"),
]
