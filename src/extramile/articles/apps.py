from django.apps import AppConfig


class ArticlesConfig(AppConfig):
    name = "extramile.articles"
    label = "articles"
    verbose_name = "Articles"

    def ready(self) -> None:
        # Its habits (the registry), then the modules that register themselves on import:
        # planners, preparers, completers, rollups and the demo data.
        from extramile.agenda.habits import register
        from extramile.articles import agenda, demo  # noqa: F401
        from extramile.articles.habits import HABITS

        register(*HABITS)
