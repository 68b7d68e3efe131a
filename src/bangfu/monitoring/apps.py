from django.apps import AppConfig


class MonitoringConfig(AppConfig):
    name = "bangfu.monitoring"
    label = "monitoring"
    verbose_name = "防返贫监测"
