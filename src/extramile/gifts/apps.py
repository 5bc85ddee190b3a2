from django.apps import AppConfig


class GiftsConfig(AppConfig):
    name = "extramile.gifts"
    label = "gifts"
    verbose_name = "Milestone gifts"

    def ready(self) -> None:
        # Its habit (the registry), then its planner, which registers itself on import.
        from extramile.agenda.habits import register
        from extramile.gifts import planners  # noqa: F401
        from extramile.gifts.habits import HABITS

        register(*HABITS)
