from django.apps import AppConfig


class ImportsConfig(AppConfig):
    name = "extramile.imports"
    label = "imports"
    verbose_name = "Imports"
