from django.apps import AppConfig


class OfflineConfig(AppConfig):
    name = "bangfu.offline"
    label = "offline"
    verbose_name = "离线录入"
