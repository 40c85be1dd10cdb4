"""A manager builds an eight-member rotation in one go, adding places on the page."""

from __future__ import annotations

import secrets
from datetime import date, timedelta

from playwright.sync_api import expect
from sqlalchemy import select
from sqlalchemy.orm import Session

from hotline.models import Hotline, Person
from hotline.planning.models import Rotation


def seed(live_server) -> tuple[Hotline, list[Person]]:
    """A hotline and eight people with names of their own (the database lives for the run)."""
    tag = secrets.token_hex(3)
    digits = f"{secrets.randbelow(10_000):04d}"
    with Session(live_server.engine, expire_on_commit=False) as session, session.begin():
        hotline = Hotline(number=f"+33185{digits}{secrets.randbelow(100):02d}", name=f"Sud {tag}")
        people = [
            Person(ref=f"agent{n}-{tag}", name=f"Agent {n} {tag}", mobile=f"+336987654{n:02d}")
            for n in range(1, 9)
        ]
        session.add(hotline)
        session.add_all(people)
    return hotline, people


def test_manager_builds_an_eight_member_rotation_in_one_go(page, live_server, sign_in):
    hotline, people = seed(live_server)
    manager = live_server.add_user("manager", hotline_ids=(hotline.id,))
    sign_in(page, manager)
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)

    page.goto(f"/planning/hotlines/{hotline.id}/rotations/new")
    page.get_by_label("Nom").fill("Grande équipe")
    add = page.get_by_role("button", name="Ajouter un membre")
    for _ in range(3):  # five places to start with
        add.click()
    expect(page.get_by_label("Membre 8", exact=True)).to_be_focused()
    for n, person in enumerate(people, start=1):
        page.get_by_label(f"Membre {n}", exact=True).select_option(label=person.name)
    page.get_by_label("Première astreinte le").fill((date.today() + timedelta(days=7)).isoformat())
    page.get_by_label("Renforts suivants dans l’ordre").fill("1")
    page.get_by_label("Nom").press("Enter")  # Enter saves; it does not add a place

    expect(page.locator(".flash-success")).to_contain_text("Grande équipe")
    assert errors == []  # nothing refused by the CSP, no script error
    with Session(live_server.engine) as session:
        rotation = session.scalar(select(Rotation).where(Rotation.hotline_id == hotline.id))
        assert [m.person_id for m in rotation.members] == [p.id for p in people]
