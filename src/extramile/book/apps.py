from django.apps import AppConfig


class BookConfig(AppConfig):
    name = "extramile.book"
    label = "book"
    verbose_name = "Customer book"
