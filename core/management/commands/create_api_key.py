"""`manage.py create_api_key NAME [--staff]`: a new REST API key, printed once (only its hash is kept)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import CommandError, CommandParser

from core.api_keys import api_key_create
from core.commands import BaseCommand
from core.models import ApiKey


class Command(BaseCommand):
    help = (
        "Create an API key and print it once. --staff gives the staff scope (pipeline endpoints, provenance)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("name", help="Who or what uses the key, e.g. 'sync-bot'.")
        parser.add_argument("--staff", action="store_true", help="Staff scope.")
        parser.add_argument("--by", help="Username recorded as the creator.")

    def handle(self, *args: Any, **options: Any) -> None:
        name = options["name"].strip()
        max_length = ApiKey._meta.get_field("name").max_length or 100
        if not name:
            raise CommandError("Give the key a name that says who or what uses it.")
        if len(name) > max_length:
            raise CommandError(f"The name is longer than {max_length} characters.")
        by = None
        if options["by"]:
            by = get_user_model().objects.filter(username=options["by"]).first()
            if by is None:
                raise CommandError(f"No user {options['by']!r}.")
        api_key, raw = api_key_create(name=name, is_staff=options["staff"], by=by)
        scope = "staff" if api_key.is_staff else "public"
        self.stderr.write(
            f"API key {api_key.name!r} ({scope} scope, prefix {api_key.prefix}). It is shown only now; "
            "send it as the X-API-Key header."
        )
        self.stdout.write(raw)
