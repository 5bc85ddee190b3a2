from django.apps import AppConfig


class RuntimeConfig(AppConfig):
    """Running the product: the worker and its schedule, the background tasks, the morning
    digest, ``serve`` and the demo's orchestration. It sits above every feature and drives them
    through the registries; nothing below imports it."""

    name = "extramile.runtime"
    label = "runtime"
    verbose_name = "Runtime"
