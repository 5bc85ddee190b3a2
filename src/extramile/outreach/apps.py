from django.apps import AppConfig


class OutreachConfig(AppConfig):
    name = "extramile.outreach"
    label = "outreach"
    verbose_name = "Outreach"
