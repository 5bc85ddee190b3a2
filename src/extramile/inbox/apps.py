from django.apps import AppConfig


class InboxConfig(AppConfig):
    name = "extramile.inbox"
    label = "inbox"
    verbose_name = "Inbound messages and replies"

    def ready(self) -> None:
        # Its habits (the registry), then the modules that register themselves on import:
        # planners, preparers, completers, rollups and the demo data.
        from extramile.agenda.habits import register
        from extramile.inbox import demo, services  # noqa: F401
        from extramile.inbox.habits import HABITS

        register(*HABITS)
