from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "varta.core"
    label = "core"
    verbose_name = "Varta core"

    def ready(self) -> None:
        from varta.core import schema  # noqa: F401  (registers the OpenAPI authentication extensions)
