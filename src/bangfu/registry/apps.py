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
        _declare_encrypted_fields()


def _ensure_search_index(sender, using="default", **kwargs) -> None:
    # SQLite's FTS5 name index lives outside Django's model state: recreate it if a table rebuild dropped it.
    from bangfu.registry.search import ensure_sqlite_name_index

    ensure_sqlite_name_index(using)


def _phone_digest(household, phone: str) -> str:
    from bangfu.core.crypto import field_cipher

    return field_cipher().blind_index("phone", phone)


def _id_number_digest(member, number: str) -> str:
    from bangfu.registry.services import _identity_digest

    return _identity_digest(member.id_type, number)


def _declare_encrypted_fields() -> None:
    """What `bangfu rotate-key` re-encrypts, and how each blind index is computed (as the services do)."""
    from bangfu.core.crypto import encrypted_field

    encrypted_field(model="registry.Household", cipher_field="phone_cipher", kind="phone",
                    digest_field="phone_digest", digest=_phone_digest)
    encrypted_field(model="registry.Member", cipher_field="id_number_cipher", kind="id_number",
                    digest_field="id_number_digest", digest=_id_number_digest)
