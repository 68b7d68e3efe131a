from django.apps import AppConfig


class IngestConfig(AppConfig):
    name = "bangfu.ingest"
    label = "ingest"
    verbose_name = "导入"

    def ready(self) -> None:
        from bangfu.ingest import jobs  # noqa: F401  (registers the preview and commit job kinds)
