"""Every statistics URL visited as every role: who gets the page, who gets 403."""

from __future__ import annotations

import pytest

from hotline.auth.access import declared_roles

from .page_tools import MARCH, url

# (endpoint, path template); {h}: the week's hotline, {call}: call 3, which rang Chloé.
PAGES = [
    ("stats.index", "/stats/?hotline={h}"),
    ("stats.calls", "/stats/calls?hotline={h}"),
    ("stats.calls_download", "/stats/calls.csv?hotline={h}"),
    ("stats.call", "/stats/calls/{call}"),
    ("stats.call_recording", "/stats/calls/{call}/recording"),
    ("stats.agents_download", "/stats/agents.csv?hotline={h}"),
    ("stats.astreinte", "/stats/astreinte?hotline={h}&month=2026-03"),
    ("stats.astreinte_download", "/stats/astreinte.csv?hotline={h}&month=2026-03"),
    ("stats.plotly_js", "/stats/assets/plotly.min.js"),
]
# Who visits, and what they get on pages of the week's hotline.
VISITORS = {
    "admin": 200,
    "manager of the hotline": 200,
    "supervisor of the hotline": 200,
    "agent rung on the call": 200,
    "supervisor of another hotline": 403,
    "manager of another hotline": 403,
}
OPEN_TO_ALL_SIGNED_IN = {"stats.plotly_js"}
# Call 3 left no message: those allowed through get "no recording" (played: test_pages_recording).
ALLOWED_STATUS = {"stats.call_recording": 404}


def test_the_table_covers_every_statistics_route(app):
    endpoints = {
        rule.endpoint
        for rule in app.url_map.iter_rules()
        if rule.endpoint.startswith("stats.") and rule.endpoint != "stats.static"
    }

    assert endpoints == {endpoint for endpoint, _ in PAGES}
    for endpoint in endpoints:
        assert declared_roles(app.view_functions[endpoint]) == {
            "admin",
            "manager",
            "supervisor",
            "agent",
        }


def sign_in(login_as, make_hotline, week, visitor):
    if visitor == "admin":
        return login_as("admin")
    if visitor == "agent rung on the call":
        return login_as("agent", person=week.chloe)
    role, _, whose = visitor.partition(" of ")
    hotline = week.hotline if whose == "the hotline" else make_hotline("+33184889999")
    return login_as(role, hotlines=(hotline,))


@pytest.mark.parametrize(("endpoint", "path"), PAGES)
@pytest.mark.parametrize("visitor", VISITORS)
def test_each_visitor_gets_what_their_role_allows(
    client, login_as, make_hotline, week, endpoint, path, visitor
):
    sign_in(login_as, make_hotline, week, visitor)
    target = path.format(h=week.hotline.id, call=week.calls[3].id)
    if "?" in target and "month" not in target:
        target += "&" + url("", **MARCH)[1:]

    response = client.get(target)

    expected = 200 if endpoint in OPEN_TO_ALL_SIGNED_IN else VISITORS[visitor]
    if expected == 200:
        expected = ALLOWED_STATUS.get(endpoint, 200)
    assert response.status_code == expected, (visitor, target)


@pytest.mark.parametrize(("endpoint", "path"), PAGES)
def test_anonymous_visitors_are_sent_to_sign_in(client, week, endpoint, path):
    response = client.get(path.format(h=week.hotline.id, call=week.calls[3].id))

    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")


@pytest.mark.parametrize("role", ["manager", "supervisor"])
def test_someone_rung_for_a_call_of_a_hotline_they_do_not_review_sees_that_call_only(
    client, login_as, make_hotline, week, role
):
    # The missed-call alert sends everyone rung to the call's page, whatever their role.
    login_as(role, hotlines=(make_hotline("+33184889999"),), person=week.chloe, language="en")

    page = client.get(f"/stats/calls/{week.calls[3].id}")

    assert page.status_code == 200
    assert f"hotline={week.hotline.id}" not in page.get_data(as_text=True)  # no way to the list
    assert client.get(f"/stats/calls/{week.calls[1].id}").status_code == 403  # not rung
    listed = url("/stats/calls", hotline=week.hotline.id, **MARCH)
    assert client.get(listed).status_code == 403
