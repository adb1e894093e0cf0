"""Test helpers: checking an API answer against the OpenAPI document."""

from __future__ import annotations

import re

import pytest


def validate_api_response(doc: dict, path: str, status: int, body) -> None:
    """Fail unless `body` matches the schema the OpenAPI document gives for GET `path` with `status`."""

    from jsonschema import Draft202012Validator

    for template, item in doc["paths"].items():
        pattern = "[^/]+".join(re.escape(part) for part in re.split(r"\{[^/{}]+\}", template))
        if re.fullmatch(pattern, path):
            responses = item["get"]["responses"]
            break
    else:
        pytest.fail(f"{path} is not documented in the OpenAPI document")
    response = responses.get(str(status)) or responses.get("default")
    if response is None:
        pytest.fail(f"status {status} of {path} is not documented")
    if "$ref" in response:
        response = doc["components"]["responses"][response["$ref"].rsplit("/", 1)[1]]
    schema = dict(response["content"]["application/json"]["schema"], components=doc["components"])
    validator = Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)
    errors = sorted(validator.iter_errors(body), key=lambda e: list(e.absolute_path))
    if errors:
        pytest.fail(f"GET {path} -> {status} does not match the OpenAPI document: "
                    + "; ".join(f"{list(e.absolute_path)}: {e.message}" for e in errors[:5]))
