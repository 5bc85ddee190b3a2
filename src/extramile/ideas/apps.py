from django.apps import AppConfig


class IdeasConfig(AppConfig):
    name = "extramile.ideas"
    label = "ideas"
    verbose_name = "Idea bank and the weekly intention"

    def ready(self) -> None:
        # Its habits (the registry), then the modules that register themselves on import:
        # planners, preparers, completers, rollups and the demo data.
        from extramile.agenda.habits import register
        from extramile.ideas import demo, planners, week  # noqa: F401
        from extramile.ideas.habits import HABITS

        register(*HABITS)
