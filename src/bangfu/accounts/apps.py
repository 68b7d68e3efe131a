from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "bangfu.accounts"
    label = "accounts"
    verbose_name = "用户与角色"

    def ready(self) -> None:
        from bangfu.accounts import middleware  # noqa: F401  (connects the idle clock to user_logged_in)
