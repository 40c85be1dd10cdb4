"""Ids in URLs beyond what the database holds are not found, never a server error."""

from __future__ import annotations

import pytest


@pytest.mark.parametrize(
    "path", ["/planning/hotlines/{id}", "/stats/calls/{id}", "/api/v1/hotlines/{id}"]
)
def test_an_id_too_large_for_the_database_is_a_404(client, login_as, path):
    login_as("admin")

    response = client.get(path.format(id=2**63))

    assert response.status_code == 404
