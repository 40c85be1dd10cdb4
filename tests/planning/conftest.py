"""The hotline and team most planning tests plan for (a test file may define its own)."""

import pytest


@pytest.fixture
def hotline(make_hotline):
    return make_hotline(name="Astreinte Nord")


@pytest.fixture
def team(make_person):
    """Alice, Bruno and Chloé, by name."""
    return {n: make_person(n) for n in ("Alice", "Bruno", "Chloé")}
