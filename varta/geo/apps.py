from django.apps import AppConfig


class GeoConfig(AppConfig):
    name = "varta.geo"
    label = "geo"
