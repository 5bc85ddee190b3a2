from django.apps import AppConfig


class PlaybookConfig(AppConfig):
    name = "extramile.playbook"
    label = "playbook"
    verbose_name = "Playbook: competitors and opportunities"
