"""Key pages on a phone (390 x 844): nothing wider than the screen, no console error."""

from __future__ import annotations

import re
import secrets
from datetime import UTC, datetime, time, timedelta

import pytest
from playwright.sync_api import expect
from sqlalchemy.orm import Session

from hotline.alerts.models import AlertEvent, Status
from hotline.planning.models import OVERRIDE, REGULAR, Slot, SlotResponder
from hotline.planning.rotations import RotationSpec, create_rotation, generate_rotation
from hotline.planning.unavailability import add_unavailability
from hotline.voice.models import Call, Outcome
from tests.alerts.conftest import logged_notification
from tests.browser.test_planning_pages import seed as seed_team
from tests.browser.test_stats_pages import WATCH_CSP, WEEK, paris
from tests.browser.test_stats_pages import seed as seed_week

PHONE = {
    "viewport": {"width": 390, "height": 844},
    "is_mobile": True,
    "has_touch": True,
    "device_scale_factor": 2,
}
# Against the screen, not innerWidth: a mobile browser widens its layout viewport (and
# innerWidth) to a page too wide for it, then shows it zoomed out.
OVERFLOW = "document.documentElement.scrollWidth - screen.width"
# The counts printed in a heatmap's cells, with the size they are drawn in (CSS px).
CELL_COUNTS = """chart => [...chart.querySelectorAll("g.heatmaplayer text")]
  .filter(text => text.textContent)
  .map(text => [text.textContent, parseFloat(getComputedStyle(text).fontSize)])"""
# Plotly has drawn each heatmap again for its container's new width.
LAID_OUT_TO_WIDTH = """() => [...document.querySelectorAll("[data-heatmap]")]
  .every(chart => chart._fullLayout && chart._fullLayout.width === chart.clientWidth)"""
# Below this, a count in a cell cannot be read on a phone at arm's length.
READABLE_PX = 11
# The raw words of a provider that failed: one long unbreakable line.
TWILIO_DOWN = (
    "Twilio unreachable: HTTPSConnectionPool(host='api.twilio.com', port=443): Max retries "
    "exceeded with url: /2010-04-01/Accounts/AC0123456789abcdef0123456789abcdef/Messages.json"
)


@pytest.fixture
def phone(browser, live_server):
    context = browser.new_context(base_url=live_server.url, locale="fr-FR", **PHONE)
    tab = context.new_page()
    tab.console_errors = []
    tab.on("console", lambda m: tab.console_errors.append(m.text) if m.type == "error" else None)
    yield tab
    context.close()


def overflow_of(page, path: str, open_details: bool = False) -> int:
    page.goto(path)
    page.wait_for_load_state("networkidle")
    if open_details:
        page.evaluate("document.querySelectorAll('details').forEach(d => { d.open = true; })")
    return page.evaluate(OVERFLOW)


def seed_planning(live_server):
    """A team on call around the clock for three weeks, from yesterday on."""
    hotline, people = seed_team(live_server)
    start = datetime.now(UTC).replace(hour=7, minute=0, second=0, microsecond=0)
    start -= timedelta(days=1)
    team = list(people.values())
    with Session(live_server.engine) as session, session.begin():
        for n in range(42):
            chain = team[n % 3 :] + team[: n % 3]
            places = [SlotResponder(position=i, person_id=p.id) for i, p in enumerate(chain)]
            session.add(
                Slot(
                    hotline_id=hotline.id,
                    kind=REGULAR,
                    starts_at=start + timedelta(hours=12 * n),
                    ends_at=start + timedelta(hours=12 * (n + 1)),
                    responders=places,
                )
            )
    return hotline, people


def test_calendar_month_and_week_fit_a_phone(phone, live_server, sign_in):
    hotline, _ = seed_planning(live_server)
    sign_in(phone, live_server.add_user("manager", hotline_ids=(hotline.id,)))
    base = f"/planning/hotlines/{hotline.id}/calendar"

    assert overflow_of(phone, base) <= 0
    assert overflow_of(phone, f"{base}?week=") <= 0
    # No word broken at any letter: a time range stays on one line.
    heights = phone.locator(".entry .time").evaluate_all(
        "spans => spans.map(s => s.getBoundingClientRect().height)"
    )
    line = phone.locator(".entry .time").first.evaluate(
        "s => parseFloat(getComputedStyle(s).lineHeight)"
    )
    assert heights
    assert max(heights) < 1.5 * line


def test_fairness_and_my_shifts_fit_a_phone(phone, live_server, sign_in):
    hotline, people = seed_planning(live_server)
    sign_in(phone, live_server.add_user("agent", person_id=people["Alice"].id))
    assert overflow_of(phone, "/planning/mine") <= 0

    phone.context.clear_cookies()
    sign_in(phone, live_server.add_user("supervisor", hotline_ids=(hotline.id,)))
    assert overflow_of(phone, f"/planning/hotlines/{hotline.id}/fairness") <= 0


def test_notification_log_with_a_provider_error_fits_a_phone(phone, live_server, sign_in):
    week = seed_week(live_server)
    with Session(live_server.engine) as session, session.begin():
        event = AlertEvent(
            kind="missed_call",
            key=f"missed:{secrets.token_hex(4)}",
            hotline_id=week.hotline.id,
            call_id=week.calls["missed"].id,
        )
        session.add(event)
        session.flush()
        session.add(
            logged_notification(
                event,
                week.alice,
                "sms",
                week.alice.mobile,
                body="Appel manqué",
                status=Status.FAILED,
                attempts=3,
                last_error=TWILIO_DOWN,
            )  # fmt: skip
        )
    sign_in(phone, live_server.add_user("admin"))

    assert overflow_of(phone, "/alerts/") <= 0
    # The error is shown, boxed: the row does not hide it.
    assert phone.get_by_text("Twilio injoignable").count() == 1


def test_statistics_dashboard_and_calls_fit_a_phone_without_console_errors(
    phone, live_server, sign_in
):
    week = seed_week(live_server)
    sign_in(phone, live_server.add_user("supervisor", hotline_ids=(week.hotline.id,)))
    query = f"hotline={week.hotline.id}&period=custom&start={WEEK['start']}&end={WEEK['end']}"

    assert overflow_of(phone, f"/stats/?{query}", open_details=True) <= 0
    assert phone.locator("#chart-trend .main-svg").count() > 0  # the charts were drawn
    assert phone.console_errors == []
    assert overflow_of(phone, f"/stats/calls?{query}") <= 0
    # The filters fold away: the first call shows on the first screen.
    first_call = phone.locator("table.call-table tbody tr").first.bounding_box()
    assert first_call["y"] < 844


def test_an_agents_own_figures_fit_a_phone(phone, live_server, sign_in):
    week = seed_week(live_server)
    sign_in(phone, live_server.add_user("agent", person_id=week.alice.id))
    query = f"hotline={week.hotline.id}&period=custom&start={WEEK['start']}&end={WEEK['end']}"

    page_overflow = overflow_of(phone, f"/stats/?{query}")
    table = phone.locator("table.agent-table")

    assert page_overflow <= 0
    assert table.evaluate("t => t.scrollWidth <= t.parentElement.clientWidth")


def add_busy_hour(live_server, hotline, local_start: str, calls: int) -> None:
    """`calls` missed calls within the hour from `local_start` (Paris time)."""
    first = paris(local_start)
    with Session(live_server.engine) as session, session.begin():
        for n in range(calls):
            start = first + timedelta(minutes=n)
            session.add(
                Call(
                    call_sid=f"CA{secrets.token_hex(16)}",
                    hotline_id=hotline.id,
                    from_number="+33699887766",
                    to_number=hotline.number,
                    started_at=start,
                    ended_at=start + timedelta(minutes=1),
                    duration=60,
                    outcome=Outcome.MISSED,
                    route="slot",
                    chain=[],
                )
            )


def test_heatmap_counts_are_readable_on_a_phone_held_either_way(phone, live_server, sign_in):
    week = seed_week(live_server)
    add_busy_hour(live_server, week.hotline, "2026-03-02 09:00", 12)
    add_busy_hour(live_server, week.hotline, "2026-03-04 17:00", 27)
    phone.context.add_init_script(WATCH_CSP)
    sign_in(phone, live_server.add_user("supervisor", hotline_ids=(week.hotline.id,)))
    query = f"hotline={week.hotline.id}&period=custom&start={WEEK['start']}&end={WEEK['end']}"

    assert overflow_of(phone, f"/stats/?{query}") <= 0
    for width, height in ((390, 844), (844, 390)):  # upright, then turned sideways
        phone.set_viewport_size({"width": width, "height": height})
        phone.wait_for_function(LAID_OUT_TO_WIDTH)
        for grid in ("calls", "misses"):
            chart = phone.locator(f"#chart-{grid}")
            expect(chart.locator("g.hm image")).to_have_count(1)
            counts = chart.evaluate(CELL_COUNTS)
            z = chart.evaluate("chart => chart.data[0].z")
            # Every call-holding cell still says its count, two-digit ones included...
            assert sorted(text for text, _ in counts) == sorted(
                str(n) for row in z for n in row if n
            )
            assert {"12", "27"} <= {text for text, _ in counts}
            # ... in a size a person reads on a phone, not shrunk to fit 24 columns.
            assert min(size for _, size in counts) >= READABLE_PX, (width, grid, counts)
            # And the map stays on the screen, whole.
            box = chart.bounding_box()
            assert box["x"] >= 0
            assert box["x"] + box["width"] <= width
    assert phone.evaluate("window.cspViolations") == []
    assert phone.console_errors == []


def seed_admin_world(live_server):
    """A planning with a rotation, an override, a leave and their audit, and an admin."""
    hotline, people = seed_planning(live_server)
    alice, bruno, chloe = people["Alice"], people["Bruno"], people["Chloe"]
    admin = live_server.add_user(
        "admin", email=f"administratrice.planning-{secrets.token_hex(3)}@hotline.example.org"
    )
    live_server.add_user("manager", hotline_ids=(hotline.id,), person_id=alice.id)
    live_server.add_user("agent", person_id=bruno.id)
    start = datetime.now(UTC) + timedelta(days=30)
    with Session(live_server.engine, expire_on_commit=False) as session, session.begin():
        spec = RotationSpec(
            "Semaine", (alice.id, bruno.id, chloe.id), 168, time(8), start.date(), backup_count=1
        )
        rotation = create_rotation(session, hotline.id, spec, user_id=admin.id)
        add_unavailability(
            session,
            bruno.id,
            starts_at=start + timedelta(days=8),
            ends_at=start + timedelta(days=9),
            kind="leave",
            note="Congés d'été",
            user_id=admin.id,
        )
        generate_rotation(session, rotation.id, start=start, weeks=3, user_id=admin.id)
        override = Slot(
            hotline_id=hotline.id,
            kind=OVERRIDE,
            starts_at=start + timedelta(hours=2),
            ends_at=start + timedelta(hours=6),
            responders=[SlotResponder(position=0, person_id=chloe.id)],
        )
        session.add(override)
    return hotline, people, rotation, admin


def test_admin_and_planning_tables_fit_a_phone(phone, live_server, sign_in):
    hotline, people, rotation, admin = seed_admin_world(live_server)
    sign_in(phone, admin)
    base = f"/planning/hotlines/{hotline.id}"
    pages = [
        "/admin/users",
        "/account",
        "/account/tokens",
        "/planning/people",
        f"/planning/people/{people['Bruno'].id}",
        base,
        f"{base}/rotations",
        f"{base}/overrides",
        f"{base}/gaps",
        f"{base}/audit",
        f"{base}/rotations/{rotation.id}/generate?weeks=3",
    ]

    too_wide = {path: width for path in pages if (width := overflow_of(phone, path)) > 0}

    assert too_wide == {}


# Where today's day of the month is, against the window (CSS px).
TODAY_TOP = "() => document.querySelector('td.today').getBoundingClientRect().top"


def test_the_month_on_a_phone_opens_at_today_not_at_the_first(phone, page, live_server, sign_in):
    hotline, people = seed_planning(live_server)
    agent = live_server.add_user("agent", person_id=people["Alice"].id)
    calendar = f"/planning/hotlines/{hotline.id}/calendar"
    sign_in(phone, agent)

    phone.goto(calendar)
    phone.wait_for_load_state("networkidle")

    # At the top of the screen, or lower when the month ends before the screen does.
    assert 0 <= phone.evaluate(TODAY_TOP) < 844 - 100, "today is on the first screen"
    # The days gone by are still there, a scroll up away.
    first = phone.locator("table.month-view td:not(.outside)").first
    assert first.get_attribute("data-date").endswith("-01")
    expect(phone.locator("h2.period")).to_have_count(1)

    # Another month opens at its first day; a computer's grid opens at the top.
    phone.goto(f"{calendar}?month=2020-01")
    phone.wait_for_load_state("networkidle")
    assert phone.evaluate("scrollY") == 0
    sign_in(page, agent)
    page.goto(calendar)
    page.wait_for_load_state("networkidle")
    assert page.evaluate("scrollY") == 0


def test_a_rotation_is_generated_on_a_phone_without_scrolling_sideways(phone, live_server, sign_in):
    hotline, _, rotation, admin = seed_admin_world(live_server)
    sign_in(phone, admin)
    phone.goto(f"/planning/hotlines/{hotline.id}/rotations")
    phone.wait_for_load_state("networkidle")

    generate = phone.locator(f'a[href$="/rotations/{rotation.id}/generate"]')
    box = generate.bounding_box()
    table = phone.locator("table.rotations")

    # The button is on the screen as the page opens, not past the table's right edge.
    assert box["x"] >= 0
    assert box["x"] + box["width"] <= 390
    assert table.evaluate("t => t.scrollWidth <= t.parentElement.clientWidth")
    generate.click()
    expect(phone).to_have_url(re.compile(rf"/rotations/{rotation.id}/generate"))
