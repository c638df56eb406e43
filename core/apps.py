from django.apps import AppConfig


class CoreConfig(AppConfig):
    """The bottom layer: stage rows, the queue, settings helpers and API access. It imports no app."""

    name = "core"
    verbose_name = "API access"
