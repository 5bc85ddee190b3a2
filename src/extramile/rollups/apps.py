from django.apps import AppConfig


class RollupsConfig(AppConfig):
    name = "extramile.rollups"
    label = "rollups"
    verbose_name = "Figures counted once a day"
