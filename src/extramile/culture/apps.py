from django.apps import AppConfig


class CultureConfig(AppConfig):
    name = "extramile.culture"
    label = "culture"
    verbose_name = "Stories, kudos and check-ins"

    def ready(self) -> None:
        # Registers the weekly story planner and the story completer.
        from extramile.culture import demo, planners, services  # noqa: F401
