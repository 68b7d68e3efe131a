from django.apps import AppConfig


class MonitoringConfig(AppConfig):
    name = "bangfu.monitoring"
    label = "monitoring"
    verbose_name = "防返贫监测"

    def ready(self) -> None:
        # Job kinds register on import; the worker process loads no URLs, so import them here.
        from bangfu.monitoring import jobs  # noqa: F401
