from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate


def create_cache_tables(using: str = "default", **kwargs: Any) -> None:
    """`migrate` also creates the table of a database cache (the "workers" cache on PostgreSQL without
    Redis: settings.py); it does nothing for other caches, and nothing when the table exists."""
    from django.core.management import call_command

    call_command("createcachetable", database=using, verbosity=0)


class MystageConfig(AppConfig):
    """The project's top: settings checks, the pipeline's orchestration, the API and admin wiring."""

    name = "mystage"
    verbose_name = "Pipeline"

    def ready(self) -> None:
        from mystage import checks  # noqa: F401  (registers the system checks)
        from mystage.pipeline import flow

        flow.connect()
        post_migrate.connect(create_cache_tables, sender=self)
