from django.apps import AppConfig


class BackupsConfig(AppConfig):
    name = "extramile.backups"
    label = "backups"
    verbose_name = "Backups"
