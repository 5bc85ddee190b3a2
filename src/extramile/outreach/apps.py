from django.apps import AppConfig


class OutreachConfig(AppConfig):
    name = "extramile.outreach"
    label = "outreach"
    verbose_name = "Outreach"

    def ready(self) -> None:
        # Its habits (the registry), then the modules that register themselves on import:
        # planners, preparers, completers, rollups and the demo data.
        from extramile.agenda.habits import register
        from extramile.outreach import coverage, demo, outcomes, rotation  # noqa: F401
        from extramile.outreach.habits import HABITS

        register(*HABITS)
