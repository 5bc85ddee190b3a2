from django.apps import AppConfig


class InsightsConfig(AppConfig):
    name = "extramile.insights"
    label = "insights"
    verbose_name = "Insights: does the extra mile pay?"

    def ready(self) -> None:
        from extramile.insights import analytics  # noqa: F401  (registers the book rollup)
