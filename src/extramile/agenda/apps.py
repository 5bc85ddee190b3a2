from django.apps import AppConfig


class AgendaConfig(AppConfig):
    name = "extramile.agenda"
    label = "agenda"
    verbose_name = "Agenda"

    def ready(self) -> None:
        from extramile.agenda import planners  # noqa: F401  (registers the built-in planners)
