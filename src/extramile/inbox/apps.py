from django.apps import AppConfig


class InboxConfig(AppConfig):
    name = "extramile.inbox"
    label = "inbox"
    verbose_name = "Inbound messages and replies"

    def ready(self) -> None:
        from extramile.inbox import demo, services  # noqa: F401  (registers the completer and preparer and the demo data)
