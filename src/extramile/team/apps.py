from django.apps import AppConfig


class TeamConfig(AppConfig):
    name = "extramile.team"
    label = "team"
    verbose_name = "Team dashboard"
