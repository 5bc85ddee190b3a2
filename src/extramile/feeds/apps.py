from django.apps import AppConfig


class FeedsConfig(AppConfig):
    name = "extramile.feeds"
    label = "feeds"
    verbose_name = "Calendar feeds"
