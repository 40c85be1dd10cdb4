"""Pages that hold several forms still give every element an id of its own.

A repeated id breaks the label a screen reader announces for a field and the
error a field points to (aria-describedby); the hidden fields every form carries
(CSRF token, record version) were the usual culprits.
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser

import pytest


class _Ids(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.ids: Counter[str] = Counter()
        self.forms = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.forms += tag == "form"
        for name, value in attrs:
            if name == "id" and value:
                self.ids[value] += 1


def repeated_ids(page: str) -> tuple[dict[str, int], int]:
    """The ids used more than once on `page`, and how many forms it has."""
    parser = _Ids()
    parser.feed(page)
    return {i: n for i, n in parser.ids.items() if n > 1}, parser.forms


@pytest.fixture
def world(login_as, make_hotline, make_person, make_slot, make_user, submit):
    hotline = make_hotline()
    people = [make_person() for _ in range(3)]
    start = datetime.now(UTC).replace(microsecond=0) + timedelta(days=2)
    slot = make_slot(hotline, start, start + timedelta(hours=12), people)
    other = make_user("agent")
    login_as("admin")
    return {"hotline": hotline, "person": people[0], "slot": slot, "user": other}


PAGES = {
    "account": lambda w: "/account",
    "user": lambda w: f"/admin/users/{w['user'].id}",
    "slot": lambda w: f"/planning/hotlines/{w['hotline'].id}/slots/{w['slot'].id}",
    "person": lambda w: f"/planning/people/{w['person'].id}",
    "overrides": lambda w: f"/planning/hotlines/{w['hotline'].id}/overrides",
    "fairness": lambda w: f"/planning/hotlines/{w['hotline'].id}/fairness",
}


@pytest.mark.parametrize("page", PAGES)
def test_a_page_with_several_forms_repeats_no_id(client, world, page):
    response = client.get(PAGES[page](world))
    assert response.status_code == 200
    repeated, forms = repeated_ids(response.get_data(as_text=True))
    assert forms >= 2, "the page no longer has several forms: pick another"
    assert repeated == {}
