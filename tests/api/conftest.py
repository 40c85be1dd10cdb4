"""API clients holding a bearer token for a user of each role."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from flask.testing import FlaskClient

from hotline.auth.services import create_api_token


class ApiClient:
    """The test client with one user's bearer token on every request."""

    def __init__(self, client: FlaskClient, secret: str, user: Any) -> None:
        self.client = client
        self.user = user
        self.headers = {"Authorization": f"Bearer {secret}"}

    def open(self, method: str, path: str, json: Any = None, **kwargs: Any) -> Any:
        return self.client.open(path, method=method, json=json, headers=self.headers, **kwargs)

    def get(self, path: str, **kwargs: Any) -> Any:
        return self.open("GET", path, **kwargs)

    def post(self, path: str, json: Any = None, **kwargs: Any) -> Any:
        return self.open("POST", path, json=json, **kwargs)

    def patch(self, path: str, json: Any = None, **kwargs: Any) -> Any:
        return self.open("PATCH", path, json=json, **kwargs)

    def put(self, path: str, json: Any = None, **kwargs: Any) -> Any:
        return self.open("PUT", path, json=json, **kwargs)

    def delete(self, path: str, **kwargs: Any) -> Any:
        return self.open("DELETE", path, **kwargs)


@pytest.fixture
def api_as(client, make_user, db_session) -> Callable[..., ApiClient]:
    """api_as("manager", hotlines=(h,)) -> an ApiClient for a new user of that role."""

    def make(role: str = "admin", **fields: Any) -> ApiClient:
        user = make_user(role, **fields)
        _token, secret = create_api_token(db_session, user, "tests")
        db_session.flush()
        return ApiClient(client, secret, user)

    return make


@pytest.fixture
def admin_api(api_as) -> ApiClient:
    return api_as("admin")


# The planning tests' hotline (in Paris), three people and a manager of the hotline.
@pytest.fixture
def hotline(make_hotline):
    return make_hotline(timezone="Europe/Paris")


@pytest.fixture
def team(make_person):
    return [make_person(name) for name in ("Alice", "Bob", "Carol")]


@pytest.fixture
def manager(api_as, hotline):
    return api_as("manager", hotlines=(hotline,))
