from django.apps import AppConfig


class RepliesConfig(AppConfig):
    name = "extramile.replies"
    label = "replies"
    verbose_name = "Replies and reply templates"
