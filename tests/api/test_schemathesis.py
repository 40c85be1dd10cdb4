"""Property-based: requests generated from /api/v1/openapi.json get the answers it describes.

Schemathesis reads the description the app serves and sends requests built from
it (valid and invalid) as an admin. Every answer must be one the description
lists for that operation, with the documented content type and body shape, and
never a server error. Domain refusals (422: an unknown person id...) are fine.
"""

from __future__ import annotations

import pytest

schemathesis = pytest.importorskip("schemathesis")

from hypothesis import HealthCheck, settings  # noqa: E402 - after the skip check
from schemathesis.checks import not_a_server_error  # noqa: E402
from schemathesis.config import SchemathesisConfig  # noqa: E402
from schemathesis.specs.openapi.checks import (  # noqa: E402
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from hotline import create_app  # noqa: E402
from hotline.api.openapi import openapi_document  # noqa: E402
from hotline.auth.services import create_api_token  # noqa: E402
from tests.conftest import app_config  # noqa: E402

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


@pytest.fixture
def admin_token(make_user, db_session):
    _token, secret = create_api_token(db_session, make_user("admin"), "schemathesis")
    db_session.flush()
    return secret


# The description as the app serves it (a test in test_openapi.py checks they are equal);
# built from an app of its own because the operations are listed at collection time.
# Random generation only: the boundary-value "coverage" phase alone takes minutes.
CONFIG = SchemathesisConfig.from_dict({"phases": {"coverage": {"enabled": False}}})
schema = schemathesis.openapi.from_dict(
    openapi_document(create_app(app_config("sqlite://"))), config=CONFIG
)


@schema.parametrize()
@settings(
    max_examples=10,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_answers_match_the_description(case, app, admin_token):
    case.call_and_validate(
        app=app, headers={"Authorization": f"Bearer {admin_token}"}, checks=CHECKS
    )
