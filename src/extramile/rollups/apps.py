from django.apps import AppConfig


class RollupsConfig(AppConfig):
    name = "extramile.rollups"
    label = "rollups"
    verbose_name = "Figures counted once a day per book"

    def ready(self) -> None:
        from extramile.rollups import nightly  # noqa: F401  (registers the preparer)
