from django.apps import AppConfig


class CultureConfig(AppConfig):
    name = "extramile.culture"
    label = "culture"
    verbose_name = "Stories, kudos and check-ins"
