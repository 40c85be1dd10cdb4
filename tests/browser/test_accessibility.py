"""What a keyboard or screen-reader user meets on the pages (WCAG 2.1 AA, RGAA)."""

from __future__ import annotations

from playwright.sync_api import expect

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
