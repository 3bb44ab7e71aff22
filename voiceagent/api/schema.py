"""The OpenAPI schema's error responses: every operation documents the one error shape
(voiceagent.api.errors) for the statuses it can answer with, so clients (and the
schemathesis run in CI) can rely on the schema for failures as well as successes."""

from __future__ import annotations

from typing import Any

ERROR_SCHEMA = {
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["code", "message", "details"],
            "properties": {
                "code": {
                    "type": "string",
                    "description": "Stable, machine-readable: invalid, not_found, "
                    "authentication_failed, throttled, conflict, booking_refused, "
                    "number_taken, …",
                },
                "message": {"type": "string", "description": "For people."},
                "details": {
                    "nullable": True,
                    "description": "For `invalid`: the problems by field name. Else "
                    "null or an object specific to the code.",
                },
            },
        }
    },
}

COMMON = {
    "400": "The request is not valid (a parameter, a field, the body).",
    "401": "No API key, or an unknown, malformed or revoked one.",
    "403": "Signed in (session) but not allowed.",
    "429": "Too many requests for this key; see Retry-After.",
}
WITH_ID = {"404": "No such object, or it belongs to another account."}
WRITES = {
    "409": "Conflicts with what exists (duplicate, slot taken, in use).",
    "413": "The request body is too large.",
    "415": "The body's content type is not accepted.",
}


def add_error_responses(result: dict[str, Any], **_: Any) -> dict[str, Any]:
    """drf-spectacular postprocessing hook."""
    components = result.setdefault("components", {}).setdefault("schemas", {})
    components["Error"] = ERROR_SCHEMA
    error_content = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
    for path, operations in result.get("paths", {}).items():
        for method, operation in operations.items():
            if method not in {"get", "post", "put", "patch", "delete"}:
                continue
            statuses = dict(COMMON)
            if "{" in path:
                statuses |= WITH_ID
            if method in {"post", "put", "patch", "delete"}:
                statuses |= WRITES
            responses = operation.setdefault("responses", {})
            for status, description in statuses.items():
                responses.setdefault(status, {"description": description, "content": error_content})
    return result
