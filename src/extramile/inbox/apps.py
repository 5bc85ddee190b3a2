from django.apps import AppConfig


class InboxConfig(AppConfig):
    name = "extramile.inbox"
    label = "inbox"
    verbose_name = "Inbound messages and replies"
