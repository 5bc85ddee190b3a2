from django.apps import AppConfig


class ServiceConfig(AppConfig):
    name = "extramile.service"
    label = "service"
    verbose_name = "Service requests"
