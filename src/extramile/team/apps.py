from django.apps import AppConfig


class TeamConfig(AppConfig):
    name = "extramile.team"
    label = "team"
    verbose_name = "Team dashboard"

    def ready(self) -> None:
        # The weekly trend's rollup (finished weeks kept per rep), counted with the others.
        from extramile.team import trend  # noqa: F401
