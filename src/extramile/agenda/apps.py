from django.apps import AppConfig


class AgendaConfig(AppConfig):
    name = "extramile.agenda"
    label = "agenda"
    verbose_name = "Agenda"

    def ready(self) -> None:
        from extramile.agenda import habits, planners, services  # noqa: F401  (planner, completer)

        habits.register(*planners.HABITS)
