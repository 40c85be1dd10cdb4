"""The API's own description."""

from __future__ import annotations

from flask import Response, current_app, jsonify

from hotline.api import bp
from hotline.api.openapi import openapi_document
from hotline.api.operations import operation
from hotline.api.views.common import READERS
from hotline.auth import role_required


@bp.get("/openapi.json")
@role_required(*READERS)
@operation(
    "This description (OpenAPI 3.1)",
    content_schema={"type": "object", "required": ["openapi", "paths"]},
    tags=("meta",),
)
def openapi() -> Response:
    return jsonify(openapi_document(current_app))
