from django.apps import AppConfig


class OpsConfig(AppConfig):
    name = "extramile.ops"
    label = "ops"
    verbose_name = "Operations"

    def ready(self) -> None:
        from extramile.ops import requestid

        requestid.connect_task_signals()
