"""What a keyboard or screen-reader user meets on the pages (WCAG 2.1 AA, RGAA)."""

from __future__ import annotations

import re

from playwright.sync_api import expect
from sqlalchemy import update
from sqlalchemy.orm import Session

from hotline.models import Person
from tests.browser.test_phone_layout import seed_planning
from tests.browser.test_planning_pages import seed
from tests.browser.test_stats_pages import seed as seed_week

FOCUSED = "document.activeElement"


def focused_id(page) -> str:
    return page.evaluate(f"{FOCUSED}.id")


def focus_is_inside(page, selector: str) -> bool:
    return page.evaluate(f"!!{FOCUSED}.closest({selector!r})")


def test_the_first_tab_reaches_a_skip_link_that_moves_the_focus_to_the_content(
    page, live_server, sign_in
):
    sign_in(page, live_server.add_user("manager"))
    page.goto("/account")
    skip = page.get_by_role("link", name="Aller au contenu")
    box = skip.bounding_box()
    assert box is None or box["y"] + box["height"] <= 0, "off screen until focused"

    page.keyboard.press("Tab")
    expect(skip).to_be_focused()
    box = skip.bounding_box()
    assert box is not None
    assert box["y"] >= 0, "shown when it has the focus"

    page.keyboard.press("Enter")
    assert focused_id(page) == "main"
    page.keyboard.press("Tab")
    # The next stop is in the content, past the menus of the top bar.
    assert focus_is_inside(page, "main"), page.evaluate(f"{FOCUSED}.outerHTML")


def test_a_focused_control_shows_a_focus_ring(page, live_server, sign_in):
    sign_in(page, live_server.add_user("manager"))
    page.goto("/account")
    page.keyboard.press("Tab")  # skip link
    page.keyboard.press("Tab")  # first control of the top bar
    ring = page.evaluate(
        f"(() => {{ const s = getComputedStyle({FOCUSED});"
        " return [s.outlineStyle, parseFloat(s.outlineWidth)]; })()"
    )
    assert ring[0] != "none", ring
    assert ring[1] >= 2, ring


def test_an_error_message_interrupts_and_a_success_waits_its_turn(page, live_server, sign_in):
    sign_in(page, live_server.add_user("admin"))

    page.goto("/alerts/?status=bogus")
    expect(page.get_by_role("alert")).to_contain_text("État inconnu bogus")

    page.goto("/account")
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_role("status")).to_have_text("Vos préférences sont enregistrées.")
    expect(page.get_by_role("alert")).to_have_count(0)


CONTROLS = "main input:not([type=hidden]), main select, main textarea"


def test_every_control_of_the_main_forms_has_a_name(page, live_server, sign_in):
    hotline, people = seed(live_server)
    sign_in(page, live_server.add_user("admin", hotline_ids=(hotline.id,)))
    base = f"/planning/hotlines/{hotline.id}"
    person = next(iter(people.values()))
    for path in (
        "/account",
        "/account/tokens",
        "/admin/users/new",
        base,
        f"{base}/slots/new",
        f"{base}/rotations/new",
        f"{base}/overrides",
        f"{base}/gaps",
        f"{base}/fairness",
        f"{base}/settings",
        f"/planning/people/{person.id}",
        "/stats/",
        "/stats/calls",
        "/stats/astreinte",
        "/alerts/",
    ):
        page.goto(path)
        controls = page.locator(CONTROLS)
        assert controls.count() > 0, path
        for i in range(controls.count()):
            control = controls.nth(i)
            if control.is_visible():
                expect(control, f"{path}: control {i}").to_have_accessible_name(re.compile(r"\S"))


def test_required_fields_are_marked_and_hints_are_read_with_their_field(page, live_server, sign_in):
    hotline, _people = seed(live_server)
    sign_in(page, live_server.add_user("manager", hotline_ids=(hotline.id,)))
    page.goto(f"/planning/hotlines/{hotline.id}/rotations/new")

    name = page.get_by_label("Nom", exact=True)
    expect(name).to_have_attribute("required", "")
    # Seen beside the label; heard as the input's own "required", not twice.
    expect(page.locator(".field", has=name)).to_contain_text("obligatoire")
    expect(name).to_have_accessible_name("Nom")
    timezone = page.get_by_label("Fuseau horaire", exact=True)
    expect(timezone).not_to_have_attribute("required", "")
    expect(page.locator(".field", has=timezone)).not_to_contain_text("obligatoire")

    expect(timezone).to_have_accessible_description("Vide : celui de la ligne.")
    expect(page.get_by_label("Renforts suivants dans l’ordre")).to_have_accessible_description(
        re.compile("^Combien des membres suivants")
    )


def test_a_refused_form_says_so_in_the_title_and_focuses_the_error(page, live_server, sign_in):
    sign_in(page, live_server.add_user("admin"))
    page.goto("/admin/users/new")
    page.get_by_label("E-mail").fill("mismatch@browser.example.org")
    page.get_by_label("Nom affiché").fill("Mismatch")
    page.get_by_label("Mot de passe", exact=True).fill("a long enough secret")
    page.get_by_label("Mot de passe (confirmation)").fill("another long secret")
    page.get_by_role("button", name="Créer").click()

    expect(page).to_have_title(re.compile("^Erreur : Nouvel utilisateur"))
    confirm = page.get_by_label("Mot de passe (confirmation)")
    expect(confirm).to_be_focused()
    expect(confirm).to_have_attribute("aria-invalid", "true")
    expect(confirm).to_have_accessible_description("Les mots de passe diffèrent.")


def test_a_chain_error_is_read_with_the_chain(page, live_server, sign_in):
    hotline, people = seed(live_server)
    alice = people["Alice"]
    sign_in(page, live_server.add_user("manager", hotline_ids=(hotline.id,)))
    page.goto(f"/planning/hotlines/{hotline.id}/slots/new")
    page.get_by_label("Début").fill("2031-03-03T08:00")
    page.get_by_label("Fin").fill("2031-03-03T20:00")
    page.get_by_label("Titulaire").select_option(label=alice.name)
    page.get_by_label("Renfort 1", exact=True).select_option(label=alice.name)
    page.get_by_role("button", name="Ajouter", exact=True).click()

    twice = "Une personne figure deux fois dans la chaîne."
    chain = page.get_by_role("group", name=re.compile("^Chaîne"))
    expect(chain).to_have_accessible_description(twice)
    primary = page.get_by_label("Titulaire")
    expect(primary).to_be_focused()
    expect(primary).to_have_attribute("aria-invalid", "true")
    expect(primary).to_have_accessible_description(twice)


# Column headers without a scope, and header cells with nothing to read.
BAD_HEADERS = """() => [...document.querySelectorAll("main table")].flatMap(table =>
  [...table.querySelectorAll("th")]
    .filter(th => !th.getAttribute("scope") || !th.textContent.trim())
    .map(th => th.outerHTML))"""


def test_table_headers_say_what_they_head(page, live_server, sign_in):
    hotline, _people = seed_planning(live_server)
    week = seed_week(live_server)
    admin = live_server.add_user("admin", hotline_ids=(hotline.id, week.hotline.id))
    sign_in(page, admin)
    stats = f"hotline={week.hotline.id}&period=custom&start=2026-03-02&end=2026-03-08"
    for path in (
        f"/planning/hotlines/{hotline.id}/gaps?weeks=6",
        f"/planning/hotlines/{hotline.id}/calendar",
        f"/planning/hotlines/{hotline.id}/fairness",
        "/planning/people",
        "/admin/users",
        f"/stats/?{stats}",
        f"/stats/calls?{stats}",
        f"/stats/calls/{week.calls['answered'].id}",
        f"/stats/astreinte?hotline={week.hotline.id}&month=2026-03",
    ):
        page.goto(path)
        assert page.locator("main table").count() > 0, path
        assert page.evaluate(BAD_HEADERS) == [], path


def test_wide_tables_scroll_from_the_keyboard(page, live_server, sign_in):
    week = seed_week(live_server)
    sign_in(page, live_server.add_user("supervisor", hotline_ids=(week.hotline.id,)))
    page.goto(f"/stats/?hotline={week.hotline.id}&period=custom&start=2026-03-02&end=2026-03-08")

    agents = page.get_by_role("region", name="Chiffres par agent")
    expect(agents).to_have_attribute("tabindex", "0")
    agents.focus()
    page.keyboard.press("ArrowRight")
    expect(agents.get_by_role("table")).to_be_visible()
    page.goto(f"/stats/calls/{week.calls['answered'].id}")
    expect(page.get_by_role("region", name="Sonneries")).to_have_attribute("tabindex", "0")


def test_the_calendar_says_in_words_what_its_styles_show(page, live_server, sign_in):
    hotline, people = seed_planning(live_server)
    gone = people["Bruno"]
    with Session(live_server.engine) as session, session.begin():
        session.execute(update(Person).where(Person.id == gone.id).values(active=False))
    sign_in(page, live_server.add_user("manager", hotline_ids=(hotline.id,)))
    page.goto(f"/planning/hotlines/{hotline.id}/calendar?week=")

    today = page.locator("td[aria-current=date]")
    expect(today).to_have_count(1)
    expect(today.locator(".day-number")).to_contain_text("(aujourd’hui)")
    struck = page.locator(".inactive", has_text=gone.name).first
    expect(struck.locator("xpath=following-sibling::*[1]")).to_have_text("(personne inactive)")
    expect(page.locator(".legend")).to_contain_text(
        "Nom barré : personne inactive, son téléphone ne sonne pas"
    )


def test_charts_point_to_the_tables_of_their_figures(page, live_server, sign_in):
    week = seed_week(live_server)
    sign_in(page, live_server.add_user("supervisor", hotline_ids=(week.hotline.id,)))
    page.goto(f"/stats/?hotline={week.hotline.id}&period=custom&start=2026-03-02&end=2026-03-08")

    trend = page.get_by_role("img", name=re.compile("^Appels par jour"))
    expect(trend).to_have_accessible_name(
        "Appels par jour (chiffres dans « Chiffres par jour » ci-dessous)"
    )
    page.get_by_text("Chiffres par jour", exact=True).click()  # unfolds the table
    expect(page.get_by_role("table").filter(has_text="Reçus").first).to_be_visible()


def read_inside(page, selector: str) -> list[str]:
    """The texts Chromium gives screen readers from inside the element (its own name aside)."""
    cdp = page.context.new_cdp_session(page)
    root = cdp.send("DOM.getDocument")["root"]["nodeId"]
    node = cdp.send("DOM.querySelector", {"nodeId": root, "selector": selector})["nodeId"]
    backend = cdp.send("DOM.describeNode", {"nodeId": node})["node"]["backendNodeId"]
    tree = cdp.send("Accessibility.getFullAXTree")["nodes"]
    by_id = {n["nodeId"]: n for n in tree}
    chart = next(n for n in tree if n.get("backendDOMNodeId") == backend)
    texts, todo = [], list(chart.get("childIds", []))
    while todo:
        found = by_id.get(todo.pop())
        if found is None:
            continue
        if not found.get("ignored") and found["role"]["value"] == "StaticText":
            texts.append(found["name"]["value"])
        todo.extend(found.get("childIds", []))
    return texts


def test_a_screen_reader_reads_a_heatmap_by_its_name_then_finds_its_figures(
    page, live_server, sign_in
):
    week = seed_week(live_server)
    sign_in(page, live_server.add_user("supervisor", hotline_ids=(week.hotline.id,)))
    page.goto(f"/stats/?hotline={week.hotline.id}&period=custom&start=2026-03-02&end=2026-03-08")
    expect(page.locator("#chart-misses g.hm image")).to_have_count(1)

    for chart in ("#chart-trend", "#chart-calls", "#chart-misses"):
        expect(page.locator(chart)).to_have_accessible_name(re.compile(r"ci-dessous\)$"))
        # Not Plotly's axis labels and counts as well, read out in no order.
        assert read_inside(page, chart) == [], chart
    # The table the name points to is the next stop from the keyboard, and opens.
    page.get_by_text("Chiffres par jour", exact=True).focus()
    page.keyboard.press("Tab")
    figures = page.get_by_text("Chiffres par heure et jour de la semaine", exact=True)
    expect(figures).to_be_focused()
    page.keyboard.press("Enter")
    calls = page.get_by_role("region", name="Appels par heure et jour de la semaine")
    expect(calls.get_by_role("row", name=re.compile(r"^lun\."))).to_be_visible()


def test_an_error_page_title_says_what_went_wrong(page, live_server, sign_in):
    sign_in(page, live_server.add_user("agent"))
    response = page.goto("/admin/users")
    assert response.status == 403
    expect(page).to_have_title("Accès refusé (403) · Hotline")


def test_an_error_on_a_group_of_boxes_is_read_with_the_group(page, live_server, sign_in):
    hotline, people = seed(live_server)
    sign_in(page, live_server.add_user("manager", hotline_ids=(hotline.id,)))
    page.goto(f"/planning/hotlines/{hotline.id}/rotations/new")
    page.get_by_label("Nom", exact=True).fill("Jours choisis")
    page.get_by_label("Membre 1").select_option(label=people["Alice"].name)
    page.get_by_label("Jours couverts").select_option(label="Les jours cochés ci-dessous")
    page.get_by_role("button", name="Créer").click()

    days = page.get_by_role("group", name="Jours", exact=True)
    expect(days).to_have_accessible_description("Cochez au moins un jour.")
    expect(days.get_by_role("checkbox").first).to_be_focused()


def test_the_language_switch_works_from_the_keyboard(page, live_server, sign_in):
    sign_in(page, live_server.add_user("manager"))
    page.goto("/account")
    switch = page.get_by_role("button", name="English")
    for _tab in range(15):
        page.keyboard.press("Tab")
        if switch.evaluate("button => button === document.activeElement"):
            break
    expect(switch).to_be_focused()
    expect(switch).to_have_attribute("lang", "en")

    page.keyboard.press("Enter")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", level=1)).to_have_text("Your account")
    expect(page.get_by_role("link", name="Skip to the content")).to_be_attached()


def test_choices_the_form_checks_by_hand_are_marked_required(page, live_server, sign_in):
    hotline, _people = seed(live_server)
    sign_in(page, live_server.add_user("manager", hotline_ids=(hotline.id,)))
    page.goto(f"/planning/hotlines/{hotline.id}/overrides")
    for label in (
        "Personne à remplacer",
        "Remplacement assuré par",
        "Cette astreinte",
        "avec celle-ci",
    ):
        choice = page.get_by_label(label, exact=True)
        expect(choice).to_have_attribute("required", "")
        expect(page.locator(".field", has=choice)).to_contain_text("obligatoire")
    note = page.locator("#replace .field", has=page.get_by_label("Note"))
    expect(note).not_to_contain_text("obligatoire")
