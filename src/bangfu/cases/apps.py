from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "bangfu.cases"
    label = "cases"
    verbose_name = "识别、帮扶与风险消除"

    def ready(self) -> None:
        from bangfu.cases import quality  # noqa: F401  registers the data-quality job kind
