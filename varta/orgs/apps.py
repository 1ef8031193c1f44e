from django.apps import AppConfig


class OrgsConfig(AppConfig):
    name = "varta.orgs"
    label = "orgs"
