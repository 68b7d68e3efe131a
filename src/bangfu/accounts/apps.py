from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "bangfu.accounts"
    label = "accounts"
    verbose_name = "用户与角色"

    def ready(self) -> None:
        from bangfu.accounts import middleware  # noqa: F401  (connects the idle clock to user_logged_in)
        from bangfu.core.crypto import encrypted_field

        # The TOTP secret is encrypted with the field key like ID numbers: `bangfu rotate-key` re-encrypts it too.
        encrypted_field(model="accounts.User", cipher_field="totp_secret", kind="totp")
