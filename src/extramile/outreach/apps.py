from django.apps import AppConfig


class OutreachConfig(AppConfig):
    name = "extramile.outreach"
    label = "outreach"
    verbose_name = "Outreach"

    def ready(self) -> None:
        # Register the rotation planner and the call action's completer.
        from extramile.outreach import outcomes, rotation  # noqa: F401
