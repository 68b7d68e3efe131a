from django.apps import AppConfig


class RegistryConfig(AppConfig):
    name = "bangfu.registry"
    label = "registry"
    verbose_name = "一户一档"

    def ready(self) -> None:
        # Job kinds register on import; the worker process loads no URLs, so import them here.
        from django.db.models.signals import post_migrate

        from bangfu.registry import exports  # noqa: F401

        post_migrate.connect(_ensure_search_index, sender=self)


def _ensure_search_index(sender, using="default", **kwargs) -> None:
    # SQLite's FTS5 name index lives outside Django's model state: recreate it if a table rebuild dropped it.
    from bangfu.registry.search import ensure_sqlite_name_index

    ensure_sqlite_name_index(using)
