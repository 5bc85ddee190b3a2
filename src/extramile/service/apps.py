from django.apps import AppConfig


class ServiceConfig(AppConfig):
    name = "extramile.service"
    label = "service"
    verbose_name = "Service requests"

    def ready(self) -> None:
        from extramile.service import agenda, demo  # noqa: F401  (registers the planner and completer and the demo data)
