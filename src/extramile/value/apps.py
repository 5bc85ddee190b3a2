from django.apps import AppConfig


class ValueConfig(AppConfig):
    name = "extramile.value"
    label = "value"
    verbose_name = "Value score and lunches"

    def ready(self) -> None:
        # Its habits (the registry), then the modules that register themselves on import:
        # planners, preparers, completers, rollups and the demo data.
        from extramile.agenda.habits import register
        from extramile.value import agenda, demo  # noqa: F401
        from extramile.value.habits import HABITS

        register(*HABITS)
