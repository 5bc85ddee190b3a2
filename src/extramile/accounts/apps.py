from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "extramile.accounts"
    label = "accounts"
    verbose_name = "Accounts and company"

    def ready(self) -> None:
        from extramile import checks  # noqa: F401  (registers the system checks)
