from django.apps import AppConfig


class InsightsConfig(AppConfig):
    name = "extramile.insights"
    label = "insights"
    verbose_name = "Insights: does the extra mile pay?"
