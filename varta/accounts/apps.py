from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "varta.accounts"
    label = "accounts"

    def ready(self) -> None:
        from django.contrib.auth import user_logged_in
        from django.contrib.auth.models import update_last_login

        # Django saves last_login from a signal, outside the audited write path; Varta records the login
        # (and last_login) itself in varta.accounts.actions.user_record_login.
        user_logged_in.disconnect(update_last_login, dispatch_uid="update_last_login")
