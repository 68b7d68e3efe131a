from django.apps import AppConfig


class IngestConfig(AppConfig):
    name = "bangfu.ingest"
    label = "ingest"
    verbose_name = "导入"
