from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "extramile.web"
    label = "web"
    verbose_name = "Web app"
