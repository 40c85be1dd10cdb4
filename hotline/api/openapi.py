"""The OpenAPI 3.1 description of /api/v1, built from the routes and their declared models.

Paths come from the app's URL map, so a route cannot be served without being
described (a test checks both directions); schemas come from the pydantic
models the views use to read and answer, so they cannot drift either.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from flask import Flask
from pydantic import BaseModel
from pydantic.json_schema import JsonSchemaMode, models_json_schema
from werkzeug.routing import IntegerConverter, Rule

from hotline.api import MAX_ID, PREFIX, IdConverter
from hotline.api.operations import Operation, operation_of
from hotline.api.schemas import MeOut, Problem
from hotline.auth.access import declared_roles

REF = "#/components/schemas/{model}"
_ARGUMENT = re.compile(r"<(?:[^:<>]+:)?([^<>]+)>")
METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
# Routes under /api/v1 served by other packages.
ELSEWHERE = {
    "auth.api_me": Operation(
        "The token's owner, role and hotline scope", response=MeOut, tags=("account",)
    ),
}
ERRORS = {
    400: "Malformed request: not JSON, a wrong type, an unknown field or parameter",
    401: "No valid API token",
    403: "The token's user may not do this; nothing changed",
    404: "No such resource",
    409: "Conflict: the resource changed meanwhile, or the value is taken; nothing changed",
    422: "The planning refuses the value (see field); nothing changed",
}


def api_rules(app: Flask) -> Iterator[tuple[Rule, str]]:
    """Every (rule, method) the app serves under the API prefix."""
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith(PREFIX + "/"):
            for method in sorted(set(rule.methods or ()) & set(METHODS)):
                yield rule, method


def operation_for(app: Flask, endpoint: str) -> Operation | None:
    return operation_of(app.view_functions[endpoint]) or ELSEWHERE.get(endpoint)


def openapi_path(rule: Rule) -> str:
    """/api/v1/hotlines/<int:hotline_id> -> /api/v1/hotlines/{hotline_id}."""
    return _ARGUMENT.sub(r"{\1}", rule.rule)


def openapi_document(app: Flask) -> dict[str, Any]:
    """The whole description, as the JSON served at /api/v1/openapi.json."""
    described = [
        (rule, method, op)
        for rule, method in api_rules(app)
        if (op := operation_for(app, rule.endpoint)) is not None
    ]
    refs, definitions = _schemas([op for _rule, _method, op in described])
    paths: dict[str, dict[str, Any]] = {}
    for rule, method, op in sorted(described, key=lambda d: (d[0].rule, d[1])):
        roles = declared_roles(app.view_functions[rule.endpoint]) or frozenset()
        paths.setdefault(openapi_path(rule), {})[method.lower()] = _operation(
            rule, method, op, sorted(roles), refs
        )
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Hotline planning API",
            "version": "1",
            "description": (
                "The on-call planning for scripts. Authenticate with a personal token "
                "(Authorization: Bearer hl_...) created on /account/tokens. Errors are "
                "JSON problems {error, message, field} (an absence refusal adds absent_places); "
                "a refused request changes nothing."
            ),
        },
        "paths": paths,
        "components": {
            "schemas": definitions,
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        },
        "security": [{"bearer": []}],
    }


def _schemas(
    operations: list[Operation],
) -> tuple[dict[tuple[type[BaseModel], str], dict[str, Any]], dict[str, Any]]:
    # Validation mode for Problem: `field` may be absent (401 answers carry none).
    wanted: set[tuple[type[BaseModel], JsonSchemaMode]] = {(Problem, "validation")}
    for op in operations:
        if op.response is not None:
            wanted.add((op.response, "serialization"))
        if op.body is not None:
            wanted.add((op.body, "validation"))
        if op.refusal is not None:
            wanted.add((op.refusal, "validation"))
    ordered = sorted(wanted, key=lambda pair: (pair[0].__name__, pair[1]))
    refs, top = models_json_schema(ordered, ref_template=REF)
    return refs, top.get("$defs", {})


def _operation(
    rule: Rule,
    method: str,
    op: Operation,
    roles: list[str],
    refs: dict[tuple[type[BaseModel], str], dict[str, Any]],
) -> dict[str, Any]:
    document: dict[str, Any] = {
        "operationId": rule.endpoint.replace(".", "_") + ("" if method == "GET" else f"_{method}"),
        "summary": op.summary,
        "description": _description(op, roles),
        "tags": list(op.tags),
        "parameters": _path_parameters(rule) + _query_parameters(op),
        "responses": _responses(rule, op, refs),
    }
    if op.body is not None:
        document["requestBody"] = {
            "required": True,
            "content": {"application/json": {"schema": refs[(op.body, "validation")]}},
        }
    return document


def _description(op: Operation, roles: list[str]) -> str:
    """The roles allowed, then what the operation says of itself."""
    allowed = f"Roles: {', '.join(roles)}." if roles else ""
    return " ".join(text for text in (allowed, op.description) if text)


def _path_parameters(rule: Rule) -> list[dict[str, Any]]:
    return [
        {"name": name, "in": "path", "required": True, "schema": _path_schema(rule, name)}
        for name in sorted(rule.arguments)
    ]


def _path_schema(rule: Rule, name: str) -> dict[str, Any]:
    converter = rule._converters[name]  # noqa: SLF001 - werkzeug keeps them only here
    if isinstance(converter, IdConverter):
        return {"type": "integer", "minimum": 1, "maximum": MAX_ID}
    if isinstance(converter, IntegerConverter):
        return {"type": "integer"}
    return {"type": "string"}


def _query_parameters(op: Operation) -> list[dict[str, Any]]:
    if op.query is None:
        return []
    schema = op.query.model_json_schema()
    required = set(schema.get("required", ()))
    parameters = []
    for name, prop in schema["properties"].items():
        prop = dict(prop)
        description = prop.pop("description", "")
        prop.pop("title", None)
        parameter = {"name": name, "in": "query", "required": name in required, "schema": prop}
        if description:
            parameter["description"] = description
        parameters.append(parameter)
    return parameters


def _responses(
    rule: Rule, op: Operation, refs: dict[tuple[type[BaseModel], str], dict[str, Any]]
) -> dict[str, Any]:
    success: dict[str, Any] = {"description": op.summary}
    if op.response is not None:
        schema = refs[(op.response, "serialization")]
        success["content"] = {op.content_type: {"schema": schema}}
    elif op.content_schema is not None:
        success["content"] = {op.content_type: {"schema": op.content_schema}}
    responses = {str(op.status): success}
    codes = {401, 403, *op.errors}
    if op.body is not None or op.query is not None:
        codes.add(400)
    if rule.arguments:
        codes.add(404)
    for code in sorted(codes):
        model = op.refusal if code == 422 and op.refusal is not None else Problem
        problem = {"application/json": {"schema": refs[(model, "validation")]}}
        responses[str(code)] = {"description": ERRORS[code], "content": problem}
    return responses
