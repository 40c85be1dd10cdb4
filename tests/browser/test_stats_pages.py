"""Statistics in a real browser: a supervisor reviews a week, an agent sees only their calls."""

from __future__ import annotations

import json
import re
import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect
from sqlalchemy.orm import Session

from hotline.models import Hotline, Person
from hotline.stats import charting
from hotline.stats.charting import plotly_bundle
from hotline.voice.models import Call, CallAttempt, LegResult, Outcome, Voicemail

PARIS = ZoneInfo("Europe/Paris")
WEEK = {"start": "2026-03-02", "end": "2026-03-08"}
# Records whatever the Content-Security-Policy blocks, and any script error.
WATCH_CSP = """
window.cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.cspViolations.push(event.violatedDirective + " " + event.blockedURI);
});
"""


@dataclass
class Week:
    hotline: Hotline
    alice: Person
    bruno: Person
    calls: dict[str, Call]


def paris(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=PARIS).astimezone(UTC)


def leg(position: int, person: Person, start: datetime, result: str, accept_after: int = 0):
    created = start + timedelta(seconds=1 + 22 * position)
    attempt = CallAttempt(
        position=position,
        person_id=person.id,
        number=person.mobile,
        created_at=created,
        ring_started_at=created + timedelta(seconds=1),
        ended_at=created + timedelta(seconds=20),
        result=result,
    )
    if result == LegResult.ACCEPTED:
        attempt.answered_at = start + timedelta(seconds=accept_after - 2)
        attempt.accepted_at = start + timedelta(seconds=accept_after)
        attempt.talk_seconds = 60
        attempt.ended_at = attempt.accepted_at + timedelta(seconds=60)
    return attempt


def seed(live_server) -> Week:
    """A hotline of its own with five calls in the first week of March 2026 (Paris time)."""
    tag = secrets.token_hex(3)
    number = f"+33184{secrets.randbelow(10**6):06d}"
    A, N = LegResult.ACCEPTED, LegResult.NO_ANSWER  # noqa: N806 - reads like the table below
    with Session(live_server.engine, expire_on_commit=False) as session, session.begin():
        hotline = Hotline(number=number, name=f"Sud {tag}", timezone="Europe/Paris")
        alice = Person(ref=f"alice-{tag}", name=f"Alice {tag}", mobile="+33612345601")
        bruno = Person(ref=f"bruno-{tag}", name=f"Bruno {tag}", mobile="+33612345602")
        session.add_all([hotline, alice, bruno])
        session.flush()
        plan = {
            "answered": ("2026-03-02 10:00", Outcome.ANSWERED, [(alice, A, 12)]),
            "voicemail": ("2026-03-03 23:30", Outcome.VOICEMAIL, [(alice, N, 0), (bruno, N, 0)]),
            "backup": ("2026-03-04 14:00", Outcome.ANSWERED, [(alice, N, 0), (bruno, A, 35)]),
            "missed": ("2026-03-05 09:00", Outcome.MISSED, [(alice, N, 0)]),
            "evening": ("2026-03-06 20:00", Outcome.ANSWERED, [(alice, A, 8)]),
        }
        calls = {}
        for key, (local, outcome, legs) in plan.items():
            start = paris(local)
            call = Call(
                call_sid=f"CA{tag}{key}",
                hotline_id=hotline.id,
                from_number="+33699887766",
                to_number=number,
                started_at=start,
                ended_at=start + timedelta(minutes=2),
                duration=120,
                outcome=outcome,
                route="slot",
                chain=[],
            )
            for position, (person, result, after) in enumerate(legs):
                call.attempts.append(leg(position, person, start, result, after))
                if result == LegResult.ACCEPTED:
                    call.answered_by_id, call.answered_position = person.id, position
            if outcome == Outcome.VOICEMAIL:
                call.voicemail = Voicemail(
                    recording_url=f"https://recordings.example/RE{tag}",
                    duration=25,
                    status="completed",
                    created_at=start + timedelta(seconds=50),
                )
            session.add(call)
            calls[key] = call
    return Week(hotline, alice, bruno, calls)


def listed_calls(page) -> list[str]:
    return page.locator("table.call-table tbody tr").evaluate_all(
        "rows => rows.map(row => row.dataset.call)"
    )


def test_supervisor_reviews_a_week_opens_a_call_and_downloads_the_list(
    browser, live_server, sign_in
):
    week = seed(live_server)
    supervisor = live_server.add_user("supervisor", hotline_ids=(week.hotline.id,))
    context = browser.new_context(base_url=live_server.url, locale="fr-FR", accept_downloads=True)
    context.add_init_script(WATCH_CSP)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    try:
        sign_in(page, supervisor)

        # Supervisors start on the statistics: the last 7 days, none of the March calls.
        expect(page).to_have_url(re.compile(r"/stats/$"))
        expect(page.get_by_role("heading", level=1)).to_have_text("Statistiques")
        expect(page.locator("[data-kpi=received]")).to_have_text("0")
        expect(page.locator("#start")).to_be_hidden()  # shown only for a custom period

        page.locator("#period").select_option("custom")
        page.locator("#start").fill(WEEK["start"])
        page.locator("#end").fill(WEEK["end"])
        page.get_by_role("button", name="Afficher").click()

        expect(page.locator("[data-kpi=received]")).to_have_text("5")
        expect(page.locator("[data-kpi=answered]")).to_have_text("3")
        expect(page.locator("[data-kpi=answered-rate]")).to_have_text(re.compile(r"^60,0\s%$"))
        expect(page.locator("[data-kpi=depth-backup1]")).to_contain_text("1")
        # Plotly drew the charts: stacked bars for the days, a heatmap image per grid.
        expect(page.locator("#chart-trend .main-svg").first).to_be_visible()
        assert page.locator("#chart-trend g.trace.bars g.point path").count() >= 5
        expect(page.locator("#chart-calls g.hm image")).to_have_count(1)
        expect(page.locator("#chart-misses g.hm image")).to_have_count(1)
        # Its stylesheet applied under the page's CSP: the SVG layers stack on each other.
        position = page.locator("#chart-trend .main-svg").first.evaluate(
            "svg => getComputedStyle(svg).position"
        )
        assert position == "absolute"
        # Plotly writes numbers the French way on a French page ("1 250", "2,5").
        for chart in ("#chart-trend", "#chart-calls"):
            separators = page.locator(chart).evaluate("chart => chart._fullLayout.separators")
            assert separators == ",\u202f"

        page.locator("nav.stats-nav").get_by_role("link", name="Appels").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Appels")
        expected = [str(week.calls[k].id) for k in ("evening", "missed", "backup", "voicemail")]
        assert listed_calls(page)[:4] == expected

        page.locator(f"tr[data-call='{week.calls['voicemail'].id}']").get_by_role(
            "link", name="mar. 3 mars 23:30:00"
        ).click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Appel du 3 mars 2026 à 23:30")
        expect(page.locator("td.leg-result")).to_have_text(["Pas de réponse", "Pas de réponse"])
        recording = f"/stats/calls/{week.calls['voicemail'].id}/recording"
        expect(page.locator("audio.voicemail-player")).to_have_attribute("src", recording)
        expect(page.get_by_role("link", name="Télécharger le message")).to_have_attribute(
            "href", recording
        )
        expect(page.locator(".event-voicemail-recorded")).to_contain_text("Message enregistré")

        page.go_back()
        with page.expect_download() as download_info:
            page.get_by_role("link", name="Télécharger en CSV").click()
        download = download_info.value
        assert download.suggested_filename == "calls-2026-03-02-2026-03-08.csv"
        text = Path(download.path()).read_text(encoding="utf-8-sig")
        lines = text.splitlines()
        assert lines[0].startswith("Début;Ligne;Appelant;Issue;")
        assert len(lines) == 1 + 5
        assert lines[1].startswith(f"06/03/2026 20:00:00;{week.hotline.name};'+33699887766;")

        assert errors == []
        assert page.evaluate("window.cspViolations") == []
    finally:
        context.close()


def draw_week_and_watch(browser, live_server, sign_in) -> tuple[list[str], list[str]]:
    """Draw a week's charts as an English admin: (CSP violations, console messages)."""
    week = seed(live_server)
    admin = live_server.add_user("admin")
    context = browser.new_context(base_url=live_server.url, locale="en-US")
    context.add_init_script(WATCH_CSP)
    page = context.new_page()
    console: list[str] = []
    page.on("console", lambda message: console.append(f"{message.type}: {message.text}"))
    page.on("pageerror", lambda error: console.append(f"pageerror: {error}"))
    try:
        sign_in(page, admin)
        page.goto(
            f"/stats/?hotline={week.hotline.id}&period=custom&start=2026-03-02&end=2026-03-08"
        )
        expect(page.locator("#chart-misses g.hm image")).to_have_count(1)
        assert page.locator("#chart-trend g.trace.bars g.point path").count() >= 5
        separators = page.locator("#chart-trend").evaluate("chart => chart._fullLayout.separators")
        assert separators == ".,"
        # Its stylesheet applied: the SVG layers stack on each other.
        position = page.locator("#chart-trend .main-svg").first.evaluate(
            "svg => getComputedStyle(svg).position"
        )
        assert position == "absolute"
        return page.evaluate("window.cspViolations"), console
    finally:
        context.close()


def test_a_message_that_cannot_be_played_is_explained_in_place_of_the_player(
    browser, live_server, sign_in
):
    """The live server has no Twilio account: the route says why, the page shows it."""
    week = seed(live_server)
    supervisor = live_server.add_user("supervisor", hotline_ids=(week.hotline.id,))
    context = browser.new_context(base_url=live_server.url, locale="fr-FR")
    context.add_init_script(WATCH_CSP)
    page = context.new_page()
    try:
        sign_in(page, supervisor)
        page.goto(f"/stats/calls/{week.calls['voicemail'].id}")

        page.locator("audio.voicemail-player").evaluate("player => player.play().catch(() => {})")

        expect(page.get_by_role("status")).to_have_text(
            "Le message n’a pas pu être récupéré auprès de Twilio. Veuillez réessayer plus tard."
        )
        expect(page.locator("audio.voicemail-player")).to_have_count(0)
        assert page.evaluate("window.cspViolations") == []
    finally:
        context.close()


def test_charts_page_blocks_nothing_plotly_does(browser, live_server, sign_in):
    """Every script the dashboard runs comes from the app, and Plotly needs no eval."""
    violations, console = draw_week_and_watch(browser, live_server, sign_in)

    # The page's policy allows Plotly's own inline styles, by hash, and nothing else:
    # the browser reports no violation, and neither it nor Plotly complains in the console.
    assert violations == []
    assert [m for m in console if "Content Security Policy" in m or "CSP" in m] == []
    assert [m for m in console if m.startswith(("error", "pageerror"))] == []


@pytest.fixture
def upgraded_plotly(tmp_path, monkeypatch) -> Iterator[None]:
    """plotly.js as another release might write it: MapLibre's stylesheet, which it adds to
    the page as it loads, in a double-quoted string with escaped quotes."""
    source = plotly_bundle().plain.decode()
    found = re.search(r"textContent='([^'\\]*)'", source)
    assert found, "the installed plotly.js adds MapLibre's stylesheet some other way"
    upgraded = f"{source[: found.start()]}textContent={json.dumps(found[1])}{source[found.end() :]}"
    package = tmp_path / "plotly"
    (package / "package_data").mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "package_data" / "plotly.min.js").write_text(upgraded)
    monkeypatch.syspath_prepend(str(tmp_path))
    charting._load.cache_clear()
    assert plotly_bundle().plain == upgraded.encode()
    yield
    charting._load.cache_clear()


def test_charts_of_another_plotly_release_break_no_policy(
    browser, live_server, sign_in, upgraded_plotly
):
    violations, console = draw_week_and_watch(browser, live_server, sign_in)

    assert violations == []
    assert [m for m in console if "Content Security Policy" in m or "CSP" in m] == []


def test_agent_sees_only_the_calls_that_rang_them(page, live_server, sign_in):
    week = seed(live_server)
    agent = live_server.add_user("agent", person_id=week.bruno.id)
    sign_in(page, agent)

    page.get_by_role("navigation", name="Menu principal").get_by_role(
        "link", name="Statistiques"
    ).click()
    expect(page.get_by_role("heading", level=2, name="Mes chiffres")).to_be_visible()
    expect(page.locator("[data-kpi=received]")).to_have_count(0)

    page.goto(
        f"/stats/calls?hotline={week.hotline.id}&period=custom&start=2026-03-02&end=2026-03-08"
    )
    expect(page.get_by_role("heading", level=1)).to_have_text("Mes appels")
    assert listed_calls(page) == [str(week.calls[k].id) for k in ("backup", "voicemail")]
    expect(page.locator("td.caller").first).to_have_text("+33•••••••66")

    response = page.goto(f"/stats/calls/{week.calls['answered'].id}")
    assert response.status == 403


# For each legend entry: its name, and its swatch as black ink would print it (the
# geometry of its hatching, no colour).
LEGEND_IN_INK = """chart => [...chart.querySelectorAll("g.legend g.traces")].map(item => {
  const fill = item.querySelector(".legendpoints path").style.fill;
  const id = /url\\("?#([^")]+)"?\\)/.exec(fill);
  const ink = id ? [...chart.querySelector("#" + CSS.escape(id[1])).children]
    .map(mark => mark.tagName + (mark.getAttribute("d") || mark.getAttribute("r"))).join()
    : "plain";
  return [item.querySelector("text.legendtext").textContent, ink];
})"""
BARS_IN_INK = """chart => [...chart.querySelectorAll("g.trace.bars")].map(trace => {
  const fill = trace.querySelector("g.point path").style.fill;
  const id = /url\\("?#([^")]+)"?\\)/.exec(fill);
  return id ? [...chart.querySelector("#" + CSS.escape(id[1])).children]
    .map(mark => mark.tagName + (mark.getAttribute("d") || mark.getAttribute("r"))).join()
    : "plain";
})"""


def table_columns(page, selector: str) -> dict[str, list[str]]:
    """A table's cells by column header (the row headers under the first one's)."""
    return page.locator(selector).evaluate(
        """table => {
          const heads = [...table.tHead.rows[0].cells].map(cell => cell.textContent.trim());
          const columns = Object.fromEntries(heads.map(head => [head, []]));
          for (const row of table.tBodies[0].rows) {
            [...row.cells].forEach((cell, i) => columns[heads[i]].push(cell.textContent.trim()));
          }
          return columns;
        }"""
    )


def test_every_chart_tells_its_series_apart_without_colour_and_states_its_figures(
    page, live_server, sign_in
):
    week = seed(live_server)
    sign_in(page, live_server.add_user("supervisor", hotline_ids=(week.hotline.id,)))
    page.goto(f"/stats/?hotline={week.hotline.id}&period=custom&start=2026-03-02&end=2026-03-08")
    trend = page.locator("#chart-trend")
    expect(trend.locator("g.legend g.traces")).to_have_count(5)

    # Each outcome's bars carry their own hatching, and the legend shows it: a
    # black-and-white print or a colour-blind reader still tells them apart.
    legend = trend.evaluate(LEGEND_IN_INK)
    names = [name for name, _ in legend]
    assert names == [
        "Appels répondus",
        "Messages laissés",
        "Appels manqués",
        "Appels abandonnés",
        "Vers le numéro de secours",
    ]
    inks = [ink for _, ink in legend]
    assert len(set(inks)) == 5
    assert trend.evaluate(BARS_IN_INK) == inks

    # The chart is an image named after the table that states its figures, which does.
    expect(trend).to_have_attribute("role", "img")
    expect(trend).to_have_accessible_name(re.compile("Chiffres par jour"))
    page.get_by_text("Chiffres par jour", exact=True).click()
    columns = table_columns(page, "table.trend-table")
    drawn = trend.evaluate("chart => chart.data.map(trace => [trace.name, trace.y])")
    for name, values in drawn:
        assert columns[name] == [str(value) for value in values], name
    assert columns["Reçus"] == ["1", "1", "1", "1", "1", "0", "0"]

    # The heatmaps: each cell with calls says how many, as their tables do.
    page.get_by_text("Chiffres par heure et jour de la semaine", exact=True).click()
    for grid in ("calls", "misses"):
        chart = page.locator(f"#chart-{grid}")
        expect(chart).to_have_accessible_name(re.compile("Chiffres par heure et jour"))
        z = chart.evaluate("chart => chart.data[0].z")
        cells = page.locator(f"table.heatmap-table:has(caption#caption-{grid}) tbody td")
        assert cells.all_text_contents() == [str(n) if n else "" for row in z for n in row]
        labels = chart.locator("g.heatmaplayer text").all_text_contents()
        assert sorted(label for label in labels if label) == sorted(
            str(n) for row in z for n in row if n
        )
    assert page.locator("#chart-misses g.heatmaplayer text", has_text="1").count() == 2


def test_a_printed_dashboard_carries_the_figures_tables(page, live_server, sign_in):
    week = seed(live_server)
    sign_in(page, live_server.add_user("supervisor", hotline_ids=(week.hotline.id,)))
    page.goto(f"/stats/?hotline={week.hotline.id}&period=custom&start=2026-03-02&end=2026-03-08")
    expect(page.locator("#chart-trend .main-svg").first).to_be_visible()
    tables = page.locator("table.trend-table, table.heatmap-table")
    assert tables.evaluate_all("ts => ts.map(t => t.checkVisibility())") == [False] * 3
    # What the page looks like while it prints, recorded by a listener that runs after the app's.
    page.evaluate(
        """() => addEventListener("beforeprint", () => {
          window.printed = [...document.querySelectorAll("table.trend-table, table.heatmap-table")]
            .map(table => table.checkVisibility());
        })"""
    )

    page.pdf()

    assert page.evaluate("window.printed") == [True] * 3
    # Back on screen, the tables fold again as the reader left them.
    assert tables.evaluate_all("ts => ts.map(t => t.checkVisibility())") == [False] * 3
