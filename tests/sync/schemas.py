"""Validating published documents against the schema files in sync/schemas/ with jsonschema (the
reference validator, not the pydantic models that made the documents), and looking for internals."""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator

from sync.serializers import to_json

SCHEMAS = Path(__file__).resolve().parents[2] / "sync" / "schemas"
# What must never reach a public document: our hashes, our sources' keys and fingerprints.
INTERNAL = re.compile(r'"_hash"|"source:|"fp:|\bfp:[0-9a-f]{8}')


@cache
def validator(target: str, collection: str) -> Draft202012Validator:
    schema = json.loads((SCHEMAS / target / f"{collection}.schema.json").read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)


def problems(target: str, collection: str, doc: Any) -> list[str]:
    """Why `doc` (as a target holds it: Firestore timestamps as datetimes are fine) breaks the schema."""
    found = validator(target, collection).iter_errors(to_json(doc))
    return [f"{'/'.join(str(p) for p in e.absolute_path) or '(document)'}: {e.message}" for e in found]


def leaks(doc: Any) -> list[str]:
    text = json.dumps(to_json(doc), ensure_ascii=False)
    return INTERNAL.findall(text)
