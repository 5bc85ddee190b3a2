from django.apps import AppConfig


class IdeasConfig(AppConfig):
    name = "extramile.ideas"
    label = "ideas"
    verbose_name = "Idea bank and the weekly intention"
