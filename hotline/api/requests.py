"""Reading a request: JSON bodies and query strings through pydantic models."""

from __future__ import annotations

import json
from typing import TypeVar

from flask import request
from pydantic import BaseModel, ValidationError

from hotline.api.errors import bad_request, malformed

M = TypeVar("M", bound=BaseModel)


def body(model: type[M]) -> M:
    """The request's JSON body checked by `model` (400 naming the field when it does not fit)."""
    if not request.is_json:
        raise bad_request("send a JSON body with Content-Type: application/json")
    raw = request.get_data()
    try:
        json.loads(raw)
    except ValueError as exc:
        raise bad_request(f"the body is not valid JSON: {exc}") from None
    try:
        # Strict: a JSON "20" is not the number 20, nor 1 a boolean.
        return model.model_validate_json(raw, strict=True)
    except ValidationError as error:
        raise malformed(error) from None


def query(model: type[M]) -> M:
    """The query string checked by `model`; each parameter may appear once."""
    args = request.args.to_dict(flat=False)
    repeated = sorted(name for name, values in args.items() if len(values) > 1)
    if repeated:
        raise bad_request(f"{repeated[0]} is given more than once", repeated[0])
    try:
        return model.model_validate({name: values[0] for name, values in args.items()})
    except ValidationError as error:
        raise malformed(error) from None
