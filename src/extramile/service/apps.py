from django.apps import AppConfig


class ServiceConfig(AppConfig):
    name = "extramile.service"
    label = "service"
    verbose_name = "Service requests"

    def ready(self) -> None:
        # Its habits (the registry), then the modules that register themselves on import:
        # planners, preparers, completers, rollups and the demo data.
        from extramile.agenda.habits import register
        from extramile.service import agenda, demo  # noqa: F401
        from extramile.service.habits import HABITS

        register(*HABITS)
