"""An unexpected crash: the app's own error page in the user's language, and the error logged."""

from __future__ import annotations

import logging

import pytest

from hotline.auth.services import create_api_token


@pytest.fixture
def crashing_lookup(app, monkeypatch):
    """The on-call lookup crashes, and the app answers as in production (no re-raise)."""
    app.config["PROPAGATE_EXCEPTIONS"] = False

    def crash(*_args, **_kwargs):
        raise RuntimeError("lookup exploded")

    monkeypatch.setattr("hotline.planning.views.resolve_chain", crash)
    monkeypatch.setattr("hotline.api.views.oncall.chain_at", crash)


def test_a_crash_shows_the_apps_page_in_french_and_is_logged(
    crashing_lookup, client, login_as, make_hotline, caplog
):
    make_hotline()
    login_as("admin")

    with caplog.at_level(logging.ERROR):
        response = client.get("/planning/", headers={"Accept-Language": "fr"})

    assert response.status_code == 500
    page = response.get_data(as_text=True)
    assert "Une erreur s’est produite de notre côté" in page
    assert "Retour à l’accueil" in page
    assert "Internal Server Error" not in page
    assert any(r.exc_info and "lookup exploded" in str(r.exc_info[1]) for r in caplog.records)


def test_a_crash_in_the_api_still_answers_a_json_problem(
    crashing_lookup, client, make_user, make_hotline, db_session
):
    hotline = make_hotline()
    _token, secret = create_api_token(db_session, make_user("admin"), "tests")
    db_session.flush()

    response = client.get(
        f"/api/v1/hotlines/{hotline.id}/oncall", headers={"Authorization": f"Bearer {secret}"}
    )

    assert response.status_code == 500
    assert response.get_json()["error"] == "internal_server_error"
