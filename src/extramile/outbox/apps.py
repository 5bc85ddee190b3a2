from django.apps import AppConfig


class OutboxConfig(AppConfig):
    name = "extramile.outbox"
    label = "outbox"
    verbose_name = "Outbox"
