from django.apps import AppConfig


class ValueConfig(AppConfig):
    name = "extramile.value"
    label = "value"
    verbose_name = "Value score and lunches"

    def ready(self) -> None:
        from extramile.value import agenda, demo  # noqa: F401  (registers the preparers and planner and the demo data)
