from django.apps import AppConfig


class MystageConfig(AppConfig):
    """The project's top: settings checks, the pipeline's orchestration, the API and admin wiring."""

    name = "mystage"
    verbose_name = "Pipeline"

    def ready(self) -> None:
        from mystage import checks  # noqa: F401  (registers the system checks)
        from mystage.pipeline import flow

        flow.connect()
