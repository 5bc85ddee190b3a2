from django.apps import AppConfig


class CardsConfig(AppConfig):
    name = "extramile.cards"
    label = "cards"
    verbose_name = "Cards"

    def ready(self) -> None:
        # Its habits (the registry), then the modules that register themselves on import:
        # planners, preparers, completers, rollups and the demo data.
        from extramile.agenda.habits import register
        from extramile.book.signals import sale_recorded
        from extramile.cards import agenda, demo, thanks  # noqa: F401
        from extramile.cards.habits import HABITS

        register(*HABITS)
        sale_recorded.connect(thanks.on_sale_recorded, dispatch_uid="cards.thank_you_note")
