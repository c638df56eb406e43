from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import CommandError, CommandParser

from core.commands import BaseCommand
from sync.contract import json_schemas

SCHEMAS_DIR = Path(__file__).resolve().parents[2] / "schemas"


def schema_text(schema: dict[str, Any]) -> str:
    return json.dumps(schema, indent=2, ensure_ascii=False) + "\n"


class Command(BaseCommand):
    # Pure code generation: no database, no deployment settings to check.
    requires_system_checks: list[str] = []
    help = (
        "Write the published document contract as JSON Schema files (sync/schemas/{firestore,algolia}/"
        "*.schema.json), generated from the models the serializers use. --check only says whether the "
        "files are up to date (exit status 1 when they are not)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--check", action="store_true", help="compare, write nothing")
        parser.add_argument(
            "--dir", type=Path, default=SCHEMAS_DIR, help="where to write (default: %(default)s)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        root: Path = options["dir"]
        if root.exists() and not root.is_dir():
            raise CommandError(f"{root} is not a folder; give the folder the schemas go in.")
        if not root.exists() and not options["check"]:
            # No silent mkdir of a typo: the firestore/ and algolia/ folders inside are ours to make.
            raise CommandError(f"The folder {root} does not exist; create it first or write elsewhere.")
        wanted = {name: schema_text(schema) for name, schema in json_schemas().items()}
        present = {str(p.relative_to(root)): p for p in root.glob("*/*.schema.json")} if root.exists() else {}
        stale = sorted(n for n, text in wanted.items() if n not in present or present[n].read_text() != text)
        extra = sorted(set(present) - set(wanted))
        if options["check"]:
            if stale or extra:
                raise CommandError(
                    "sync/schemas is out of date ("
                    + ", ".join([*(f"{n} differs" for n in stale), *(f"{n} is not generated" for n in extra)])
                    + "): run `make schemas` (manage.py sync_schemas) and commit the files."
                )
            self.stdout.write(f"{len(wanted)} schemas up to date in {root}")
            return
        for name in stale:
            path = root / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(wanted[name])
        for name in extra:
            present[name].unlink()
        self.stdout.write(
            f"wrote {len(stale)}, removed {len(extra)}, {len(wanted) - len(stale)} unchanged in {root}"
        )
