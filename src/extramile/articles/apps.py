from django.apps import AppConfig


class ArticlesConfig(AppConfig):
    name = "extramile.articles"
    label = "articles"
    verbose_name = "Articles"

    def ready(self) -> None:
        from extramile.articles import agenda, demo  # noqa: F401  (registers the preparer and planner and the demo data)
