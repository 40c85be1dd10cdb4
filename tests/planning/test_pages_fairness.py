"""The fairness page: labour-rule settings per hotline (and the hours per person)."""

from __future__ import annotations

import re

import pytest

from hotline.planning.rules import labour_rules


def field_errors(response, field: str) -> list[str]:
    block = response.get_data(as_text=True).split(f'id="{field}-errors"')
    if len(block) < 2:
        return []
    return [e.strip() for e in re.findall(r"<li>(.*?)</li>", block[1].split("</ul>")[0], re.S)]


def test_manager_sets_and_clears_the_labour_rules(
    client, login_as, submit, make_hotline, db_session
):
    hotline = make_hotline()
    login_as("manager", hotlines=(hotline,))

    saved = submit(
        f"/planning/hotlines/{hotline.id}/rules",
        {"max_consecutive_days": "6", "min_rest_hours": "11"},
    )
    rules = labour_rules(db_session, hotline.id)
    assert saved.status_code == 302
    assert (rules.max_consecutive_days, rules.min_rest_hours) == (6, 11)
    page = client.get(f"/planning/hotlines/{hotline.id}/fairness").get_data(as_text=True)
    assert 'id="max_consecutive_days"' in page
    assert 'value="6"' in page

    submit(
        f"/planning/hotlines/{hotline.id}/rules", {"max_consecutive_days": "", "min_rest_hours": ""}
    )
    db_session.expire_all()
    rules = labour_rules(db_session, hotline.id)
    assert (rules.max_consecutive_days, rules.min_rest_hours) == (None, None)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("max_consecutive_days", "0"),
        ("max_consecutive_days", "367"),
        ("max_consecutive_days", "a week"),
        ("min_rest_hours", "0"),
        ("min_rest_hours", "169"),
        ("min_rest_hours", "11.5"),
    ],
)
def test_bad_rules_are_refused_at_their_field(
    client, login_as, submit, make_hotline, db_session, field, value
):
    hotline = make_hotline()
    login_as("manager", hotlines=(hotline,))

    response = submit(f"/planning/hotlines/{hotline.id}/rules", {field: value})

    assert response.status_code == 400
    assert field_errors(response, field)
    rules = labour_rules(db_session, hotline.id)
    assert (rules.max_consecutive_days, rules.min_rest_hours) == (None, None)


def test_supervisor_reads_the_rules_without_a_form(client, login_as, make_hotline):
    hotline = make_hotline()
    login_as("supervisor", hotlines=(hotline,))

    page = client.get(f"/planning/hotlines/{hotline.id}/fairness").get_data(as_text=True)

    assert "pas de limite" in page
    assert "/rules" not in page
