"""The error bodies of the REST API, so that the OpenAPI schema documents every response an operation
can give, 4xx included (schemathesis checks it: tests/api/test_schemathesis.py)."""

from __future__ import annotations

from typing import Any

from ninja import Schema
from pydantic import ConfigDict, Field


class ErrorOut(Schema):
    """What went wrong, for people: `{"detail": "..."}` (django-ninja's HttpError body)."""

    detail: str


class ValidationIssue(Schema):
    """One invalid input: where (`loc`), what is wrong (`msg`) and pydantic's error type."""

    model_config = ConfigDict(extra="allow")

    type: str
    loc: list[str | int]
    msg: str


class ValidationErrorOut(Schema):
    """Invalid input (422): one entry per problem."""

    detail: list[ValidationIssue] = Field(..., description="One entry per invalid input.")


ERROR_BODIES: dict[int, Any] = {
    400: ErrorOut,  # a body that is not JSON
    401: ErrorOut,
    403: ErrorOut,
    404: ErrorOut,
    422: ValidationErrorOut,
}


def responses(ok: dict[int, Any], *errors: int) -> dict[int, Any]:
    """An operation's `response=`: its success bodies and the listed error codes' bodies."""
    return {**ok, **{code: ERROR_BODIES[code] for code in errors}}
