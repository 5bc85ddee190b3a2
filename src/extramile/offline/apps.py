from django.apps import AppConfig


class OfflineConfig(AppConfig):
    name = "extramile.offline"
    label = "offline"
    verbose_name = "Installable app and offline queue"
