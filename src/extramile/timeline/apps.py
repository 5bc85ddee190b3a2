from django.apps import AppConfig


class TimelineConfig(AppConfig):
    name = "extramile.timeline"
    label = "timeline"
    verbose_name = "Notes and the customer timeline"
