"""The web shell as a person sees it: sign-in, role-based navigation, 403, language."""

from __future__ import annotations

import re

from playwright.sync_api import expect


def main_nav(page):
    return page.get_by_role("navigation", name=re.compile("Menu principal|Main menu"))


def test_admin_signs_in_and_sees_the_admin_section(page, live_server, sign_in):
    admin = live_server.add_user("admin")

    page.goto("/")
    expect(page).to_have_url(re.compile(r"/login\?next=/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Se connecter")
    sign_in(page, admin)

    expect(page.locator(".whoami")).to_have_text(admin.name)
    main_nav(page).get_by_role("link", name="Administration").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Utilisateurs")
    expect(page.get_by_role("link", name=admin.email)).to_be_visible()


def test_admin_creates_a_user_through_the_form(page, live_server, sign_in):
    sign_in(page, live_server.add_user("admin"))

    page.goto("/admin/users/new")
    page.get_by_label("E-mail").fill("new.agent@browser.example.org")
    page.get_by_label("Nom affiché").fill("Nouvel Agent")
    page.get_by_label("Rôle").select_option("agent")
    page.get_by_label("Mot de passe", exact=True).fill("a long enough secret")
    page.get_by_label("Mot de passe (confirmation)").fill("a long enough secret")
    page.get_by_role("button", name="Créer").click()

    expect(page.locator(".flash")).to_have_text(
        "L’utilisateur new.agent@browser.example.org est créé."
    )


def test_agent_has_no_admin_menu_and_gets_403_on_admin_pages(page, live_server, sign_in):
    sign_in(page, live_server.add_user("agent"))

    expect(page.locator(".whoami")).to_be_visible()
    expect(page.get_by_role("link", name="Administration")).to_have_count(0)

    response = page.goto("/admin/users")
    assert response.status == 403
    expect(page.get_by_role("heading", level=1)).to_have_text("Accès refusé")


def test_french_ui_switches_to_english_and_remembers_it(page, live_server, sign_in):
    sign_in(page, live_server.add_user("manager"))
    page.goto("/account")
    expect(page.get_by_role("heading", level=1)).to_have_text("Votre compte")
    expect(page.get_by_role("button", name="Se déconnecter", exact=True)).to_be_visible()

    page.get_by_role("button", name="English").click()

    expect(page).to_have_url(re.compile(r"/account$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Your account")
    expect(page.get_by_role("button", name="Sign out", exact=True)).to_be_visible()
    page.reload()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your account")


def test_english_browser_gets_the_english_sign_in_page(browser, live_server):
    context = browser.new_context(base_url=live_server.url, locale="en-US")
    try:
        page = context.new_page()
        page.goto("/login")
        expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")
        expect(page.get_by_label("Password")).to_be_visible()
    finally:
        context.close()


def test_an_empty_form_is_answered_by_the_page_not_by_the_browser(page):
    # The browser's own "required" bubble speaks the browser's language, whatever the
    # page's: the forms leave checking to the server, whose message is the page's.
    page.goto("/login")
    expect(page.locator("#email")).to_have_attribute("required", "")
    page.locator("form.card button[type=submit]").click()

    expect(page.locator("#email-errors")).to_have_text("Ce champ est requis.")
    expect(page.locator("#password-errors")).to_have_text("Ce champ est requis.")
