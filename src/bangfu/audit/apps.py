from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "bangfu.audit"
    label = "audit"
    verbose_name = "变更记录"
