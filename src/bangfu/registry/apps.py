from django.apps import AppConfig


class RegistryConfig(AppConfig):
    name = "bangfu.registry"
    label = "registry"
    verbose_name = "一户一档"

    def ready(self) -> None:
        # Job kinds register on import; the worker process loads no URLs, so import them here.
        from bangfu.registry import exports  # noqa: F401
