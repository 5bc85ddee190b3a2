from django.apps import AppConfig


class ArticlesConfig(AppConfig):
    name = "extramile.articles"
    label = "articles"
    verbose_name = "Articles"
