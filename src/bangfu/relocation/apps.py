from django.apps import AppConfig


class RelocationConfig(AppConfig):
    name = "bangfu.relocation"
    label = "relocation"
    verbose_name = "易地搬迁后续扶持"
