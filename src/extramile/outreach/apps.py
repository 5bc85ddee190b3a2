from django.apps import AppConfig


class OutreachConfig(AppConfig):
    name = "extramile.outreach"
    label = "outreach"
    verbose_name = "Outreach"

    def ready(self) -> None:
        # Register the rotation planner, the call action's completer and the coverage rollup.
        from extramile.outreach import coverage, demo, outcomes, rotation  # noqa: F401
