from django.apps import AppConfig


class CardsConfig(AppConfig):
    name = "extramile.cards"
    label = "cards"
    verbose_name = "Cards"

    def ready(self) -> None:
        from extramile.cards import agenda, demo  # noqa: F401  (registers the card planner and the demo data)
