from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "varta.cases"
    label = "cases"
