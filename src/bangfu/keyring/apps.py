from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _record_fingerprint(sender, using="default", **kwargs) -> None:
    from bangfu.keyring.services import key_fingerprint_ensure

    key_fingerprint_ensure(using=using)


class KeyringConfig(AppConfig):
    name = "bangfu.keyring"
    label = "keyring"
    verbose_name = "字段加密密钥"

    def ready(self) -> None:
        # After every migrate (and the test runner's flush): a new database gets its key, and the fingerprint of
        # the key it is encrypted with is recorded.
        post_migrate.connect(_record_fingerprint, sender=self, dispatch_uid="bangfu_keyring_fingerprint")
