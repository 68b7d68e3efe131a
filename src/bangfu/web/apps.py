from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "bangfu.web"
    label = "web"
    verbose_name = "页面"

    def ready(self) -> None:
        # Job kinds register on import; the worker process loads no URLs, so import them here.
        from bangfu.web import exports  # noqa: F401
