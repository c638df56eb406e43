from django.apps import AppConfig


class MystageConfig(AppConfig):
    name = "mystage"

    def ready(self) -> None:
        from mystage import checks  # noqa: F401  (registers the system checks)
