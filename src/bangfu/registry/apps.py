from django.apps import AppConfig


class RegistryConfig(AppConfig):
    name = "bangfu.registry"
    label = "registry"
    verbose_name = "一户一档"
