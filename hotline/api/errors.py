"""JSON problems: every API error is {"error": code, "message": text, "field": name or null}.

A refusal may add members of its own (an absence refusal lists absent_places).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Blueprint, Response, jsonify
from flask_babel import force_locale
from pydantic import ValidationError
from werkzeug.exceptions import HTTPException

from hotline.db import get_session
from hotline.planning.errors import NotFound, PlanningConflict, PlanningError

# 400: the request itself is malformed (not JSON, wrong type, unknown field, bad query).
# 422: well formed, but the planning refuses it (bad number, overlap, unknown person...).
BAD_REQUEST, UNPROCESSABLE = 400, 422


class ApiError(Exception):
    """An error answered as a JSON problem with `status`; `field` names the culprit."""

    def __init__(
        self,
        status: int,
        code: str,
        message: object,
        field: str | None = None,
        members: Mapping[str, Any] | None = None,
    ) -> None:
        super().__init__(english(message))
        self.status = status
        self.code = code
        self.message = english(message)
        self.field = field
        # Members of the problem after error, message and field, already JSON-ready.
        self.members = dict(members or {})


def english(message: object) -> str:
    """The message in English: the API speaks one language, whatever the user's UI setting."""
    with force_locale("en"):
        return str(message)


def refused(error: Exception) -> ApiError:
    """A planning service's refusal as a problem: 409 for a conflict, 404, else 422."""
    field = getattr(error, "field", None)
    if isinstance(error, PlanningConflict):
        return conflict(error, field)
    if isinstance(error, NotFound):
        return ApiError(404, "not_found", error, field)
    return invalid(error, field)


def bad_request(message: object, field: str | None = None) -> ApiError:
    return ApiError(BAD_REQUEST, "bad_request", message, field)


def invalid(
    message: object, field: str | None = None, members: Mapping[str, Any] | None = None
) -> ApiError:
    return ApiError(UNPROCESSABLE, "invalid", message, field, members)


def not_found(what: str, ident: object) -> ApiError:
    return ApiError(404, "not_found", f"{what} {ident} does not exist", None)


def forbidden(message: str) -> ApiError:
    return ApiError(403, "forbidden", message, None)


def conflict(message: object, field: str | None = None) -> ApiError:
    return ApiError(409, "conflict", message, field)


def problem(
    status: int, code: str, message: str, field: str | None = None, **members: Any
) -> Response:
    response = jsonify(error=code, message=message, field=field, **members)
    response.status_code = status
    return response


def malformed(error: ValidationError) -> ApiError:
    """A body or query string that does not fit its model, as a 400 naming the first field."""
    first = error.errors(include_url=False)[0]
    field = ".".join(str(part) for part in first["loc"]) or None
    message = f"{field}: {first['msg']}" if field else first["msg"]
    return bad_request(message, field)


def answer_problem(error: ApiError) -> Response:
    """Roll back the request's work and answer `error` as a JSON problem."""
    # Nothing of a refused request may reach the database.
    get_session().rollback()
    return problem(error.status, error.code, error.message, error.field, **error.members)


def _http_error(error: HTTPException) -> Response:
    get_session().rollback()
    code = (error.name or "error").lower().replace(" ", "_")
    return problem(error.code or 500, code, error.description or error.name or code)


def register(bp: Blueprint) -> None:
    """Answer every error raised by the API's views as a JSON problem."""
    bp.register_error_handler(ApiError, answer_problem)
    # A planning service's refusal, raised from any view, answers as refused() says.
    bp.register_error_handler(PlanningError, lambda error: answer_problem(refused(error)))
    # Code-specific handlers of the blueprint win over the app's HTML/JSON pages.
    # 500 too: an unexpected crash answers a JSON problem, not the app's HTML page.
    for code in (400, 403, 404, 405, 409, 413, 415, 422, 500):
        bp.register_error_handler(code, _http_error)
    bp.register_error_handler(HTTPException, _http_error)
