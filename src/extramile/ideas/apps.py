from django.apps import AppConfig


class IdeasConfig(AppConfig):
    name = "extramile.ideas"
    label = "ideas"
    verbose_name = "Idea bank and the weekly intention"

    def ready(self) -> None:
        # Registers the surprise preparer, the week's planners and the completers.
        from extramile.ideas import demo, planners, week  # noqa: F401
