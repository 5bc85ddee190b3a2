from django.apps import AppConfig


class PlaybookConfig(AppConfig):
    name = "extramile.playbook"
    label = "playbook"
    verbose_name = "Playbook: competitors and opportunities"

    def ready(self) -> None:
        from extramile.playbook import demo  # noqa: F401  (registers the demo data)
