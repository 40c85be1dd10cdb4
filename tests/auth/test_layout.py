"""The layout every page shares: its menu and its icon."""

from __future__ import annotations

import re

import pytest

from hotline.auth.models import ROLES

MENU = re.compile(r'<nav class="mainnav".*?</nav>', re.S)


@pytest.mark.parametrize("role", ROLES)
def test_every_role_finds_the_notification_log_in_the_menu(client, login_as, role):
    login_as(role)

    page = client.get("/account").get_data(as_text=True)

    assert '<a href="/alerts/">Notifications</a>' in MENU.search(page).group()


def test_the_menu_marks_the_notification_log_as_the_current_page(client, login_as):
    login_as("agent")

    page = client.get("/alerts/").get_data(as_text=True)

    assert '<a href="/alerts/" aria-current="page">Notifications</a>' in page


def test_pages_name_the_apps_own_icon_and_it_is_served(client):
    page = client.get("/login").get_data(as_text=True)
    icon = re.search(r'<link rel="icon" href="([^"]+)" type="image/svg\+xml">', page)

    assert icon, "no icon: browsers then ask for /favicon.ico, a 404"
    answer = client.get(icon.group(1))
    assert answer.status_code == 200
    assert answer.mimetype == "image/svg+xml"
    answer.close()
