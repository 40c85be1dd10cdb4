"""The planning pages in a real browser: a manager builds a rotation and covers a sick colleague."""

from __future__ import annotations

import re
import secrets
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from playwright.sync_api import expect
from sqlalchemy.orm import Session

from hotline.models import Hotline, Person
from hotline.planning.models import DefaultResponder

PARIS = ZoneInfo("Europe/Paris")


def seed(live_server) -> tuple[Hotline, dict[str, Person]]:
    """A hotline and three people with names of their own (the database lives for the run)."""
    tag = secrets.token_hex(3)
    digits = f"{secrets.randbelow(10_000):04d}"
    with Session(live_server.engine, expire_on_commit=False) as session, session.begin():
        hotline = Hotline(number=f"+33184{digits}{secrets.randbelow(100):02d}", name=f"Nord {tag}")
        people = {
            first: Person(ref=f"{first.lower()}-{tag}", name=f"{first} {tag}", mobile=mobile)
            for first, mobile in (
                ("Alice", "+33612345601"),
                ("Bruno", "+33612345602"),
                ("Chloe", "+33612345603"),
            )
        }
        session.add(hotline)
        session.add_all(people.values())
    return hotline, people


def local_input(moment: datetime) -> str:
    return moment.astimezone(PARIS).strftime("%Y-%m-%dT%H:%M")


def test_manager_builds_a_rotation_covers_a_sick_colleague_and_checks_it(
    page, live_server, sign_in
):
    hotline, people = seed(live_server)
    alice, bruno, chloe = people["Alice"], people["Bruno"], people["Chloe"]
    manager = live_server.add_user("manager", hotline_ids=(hotline.id,))
    base = f"/planning/hotlines/{hotline.id}"
    sign_in(page, manager)

    # A daily rotation Alice -> Bruno from yesterday, the next in line as backup.
    page.goto(f"{base}/rotations/new")
    page.get_by_label("Nom").fill("Quotidien")
    page.locator("#members-0").select_option(label=alice.name)
    page.locator("#members-1").select_option(label=bruno.name)
    page.get_by_label("Durée d’une astreinte").fill("1")
    page.get_by_label("Unité").select_option("days")
    page.get_by_label("Heure de relève").fill("08:00")
    yesterday = datetime.now(PARIS).date() - timedelta(days=1)
    page.get_by_label("Première astreinte le").fill(yesterday.isoformat())
    page.get_by_label("Renforts suivants dans l’ordre").fill("1")
    page.get_by_role("button", name="Créer").click()

    expect(page.locator(".flash-success")).to_contain_text("Quotidien")
    page.get_by_label("Semaines à venir").fill("6")
    page.get_by_role("button", name="Aperçu").click()
    expect(page.locator("dd.created")).to_have_text(re.compile(r"^[1-9]\d*$"))
    assert "weeks=6" in page.url
    assert "csrf_token" not in page.url  # the preview is a GET: its URL is kept in history
    page.get_by_role("button", name="Générer ces créneaux").click()
    expect(page.get_by_role("heading", name="Terminé")).to_be_visible()
    expect(page.locator("dd.created")).to_have_text(re.compile(r"^[1-9]\d*$"))

    # The month calendar fills in with both members.
    page.goto(f"{base}/calendar")
    expect(page.locator("li.entry.regular").first).to_be_visible()
    expect(page.locator("li.entry.regular", has_text=alice.name).first).to_be_visible()
    expect(page.locator("li.entry.regular", has_text=bruno.name).first).to_be_visible()

    # Whoever is on call now falls ill: Chloé replaces them for two days.
    now = datetime.now(PARIS)
    page.goto(base)
    sick = page.locator("section.card .chain .primary-name").first.inner_text()
    assert sick in (alice.name, bruno.name)
    page.goto(f"{base}/overrides")
    page.get_by_label("Personne à remplacer").select_option(label=sick)
    page.get_by_label("Remplacement assuré par").select_option(label=chloe.name)
    page.locator("#replace-starts_at").fill(local_input(now - timedelta(minutes=5)))
    page.locator("#replace-ends_at").fill(local_input(now + timedelta(days=2)))
    page.locator("#replace-note").fill("malade")
    page.get_by_role("button", name="Remplacer", exact=True).click()
    expect(page.locator(".flash-success")).to_contain_text("Le remplacement est en vigueur")
    expect(page.locator("table.overrides td.previous").first).to_contain_text(sick)

    # No gap in the coming weeks.
    page.goto(f"{base}/gaps?weeks=4")
    expect(page.locator(".no-gap")).to_have_text(
        "Aucun trou : quelqu’un est d’astreinte en permanence."
    )

    # The dry run, an hour from now but before the 08:00 handoff (the replacement
    # covers the sick person's shift only), names the replacement first.
    handoff = datetime.combine(now.date(), time(8), PARIS)
    if handoff <= now:
        handoff += timedelta(days=1)
    later = max(now, min(now + timedelta(hours=1), handoff - timedelta(minutes=1)))
    page.goto(base)
    page.locator("#at").fill(local_input(later))
    page.get_by_role("button", name="Chercher").click()
    answer = page.locator(".dry-run-answer").first
    expect(answer.locator(".primary-name")).to_have_text(chloe.name)
    expect(answer).to_contain_text("remplacement")

    # Removing the override asks first: "cancel" keeps it, "OK" removes it.
    page.goto(f"{base}/overrides")
    questions: list[str] = []

    def answer_with(accept: bool) -> None:
        def handle(dialog) -> None:
            questions.append(dialog.message)
            dialog.accept() if accept else dialog.dismiss()

        page.once("dialog", handle)
        page.locator("table.overrides").get_by_role("button", name="Supprimer").first.click()

    answer_with(accept=False)
    expect(page.locator("table.overrides td.previous").first).to_contain_text(sick)
    answer_with(accept=True)
    expect(page.locator(".flash-success")).to_contain_text("Le remplacement est supprimé")
    assert (
        questions
        == ["Supprimer ce remplacement ? Le planning habituel sonne de nouveau sur ses heures."] * 2
    )


def test_agent_reads_the_planning_but_cannot_reach_the_edit_pages(page, live_server, sign_in):
    hotline, _people = seed(live_server)
    agent = live_server.add_user("agent")
    base = f"/planning/hotlines/{hotline.id}"
    sign_in(page, agent)

    page.goto(f"{base}/rotations")
    expect(page.get_by_role("heading", level=2, name="Roulements")).to_be_visible()
    expect(page.get_by_role("link", name="Nouveau roulement")).to_have_count(0)
    page.goto(f"{base}/overrides")
    expect(page.locator("form#replace")).to_have_count(0)

    for path in (
        f"{base}/rotations/new",
        f"{base}/slots/new",
        "/planning/people",
        f"{base}/settings",
    ):
        response = page.goto(path)
        assert response.status == 403, path
        expect(page.get_by_role("heading", level=1)).to_have_text("Accès refusé")


def test_french_ui_shows_french_labels(page, live_server, sign_in):
    hotline, _people = seed(live_server)
    sign_in(page, live_server.add_user("manager", hotline_ids=(hotline.id,)))

    page.goto("/planning/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Planning")
    expect(page.get_by_role("link", name="Mes astreintes")).to_be_visible()
    page.get_by_role("link", name=hotline.name).click()
    nav = page.get_by_role("navigation", name="Pages de la ligne")
    for label in ("Vue d’ensemble", "Calendrier", "Trous", "Roulements", "Remplacements", "Équité"):
        expect(nav.get_by_role("link", name=label)).to_be_visible()
    expect(page.get_by_role("heading", name="Qui le téléphone ferait-il sonner ?")).to_be_visible()
    page.goto(f"/planning/hotlines/{hotline.id}/rotations/new")
    for label in ("Durée d’une astreinte", "Heure de relève", "Jours couverts", "Fuseau horaire"):
        expect(page.get_by_label(label, exact=True)).to_be_visible()
    page.goto(f"/planning/hotlines/{hotline.id}/calendar?month=2026-03")
    expect(page.locator("h2.period")).to_have_text(re.compile("mars 2026", re.IGNORECASE))
    expect(page.locator("table.calendar th").first).to_have_text(re.compile("lundi", re.IGNORECASE))


DANGER = "rgb(179, 38, 30)"  # --danger: the alarm colour
MUTED = "rgb(95, 107, 122)"  # --muted


def colour_of(locator) -> str:
    return locator.evaluate("e => getComputedStyle(e).color")


def test_calendar_alarms_only_on_hours_ahead_that_ring_nobody(page, live_server, sign_in):
    bare, _people = seed(live_server)  # no slot, no default chain: nobody is ever rung
    covered, people = seed(live_server)
    with Session(live_server.engine) as session, session.begin():
        session.add(
            DefaultResponder(hotline_id=covered.id, position=0, person_id=people["Bruno"].id)
        )
    sign_in(page, live_server.add_user("manager", hotline_ids=(bare.id, covered.id)))

    page.goto(f"/planning/hotlines/{bare.id}/calendar?week=")
    today = page.locator("td[aria-current=date]")
    # This morning is gone: muted. The rest of the day can still be filled: red.
    expect(today.locator("li.entry.gap.past")).to_have_count(1)
    assert colour_of(today.locator("li.entry.gap.past .nobody")) == MUTED
    assert colour_of(today.locator("li.entry.gap:not(.past) .nobody")) == DANGER

    page.goto(f"/planning/hotlines/{covered.id}/calendar?week=")
    expect(page.locator("li.entry.gap")).to_have_count(0)
    ahead = page.locator("td[aria-current=date] li.entry.default:not(.past)")
    expect(ahead).to_contain_text("chaîne par défaut")
    expect(ahead).to_contain_text(people["Bruno"].name)
    assert colour_of(ahead) != DANGER
