from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "varta.audit"
    label = "audit"
