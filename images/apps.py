from django.apps import AppConfig


class ImagesConfig(AppConfig):
    """Images found in extractions: fetched with sourcing's fetch rules, validated, resized, stored."""

    name = "images"
    verbose_name = "Images"
