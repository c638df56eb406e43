from django.apps import AppConfig


class MystageConfig(AppConfig):
    name = "mystage"
    verbose_name = "Review and API access"

    def ready(self) -> None:
        from mystage import checks  # noqa: F401  (registers the system checks)
