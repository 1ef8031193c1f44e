from django.apps import AppConfig


class HotlineConfig(AppConfig):
    name = "varta.hotline"
    label = "hotline"
