from django.apps import AppConfig


class ValueConfig(AppConfig):
    name = "extramile.value"
    label = "value"
    verbose_name = "Value score and lunches"
