from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "varta.core"
    label = "core"
    verbose_name = "Varta core"
