from django.apps import AppConfig


class ExportsConfig(AppConfig):
    name = "extramile.exports"
    label = "exports"
    verbose_name = "Exports and erasure"
