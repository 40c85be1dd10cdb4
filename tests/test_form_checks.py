"""Forms are checked by the server, which answers in the page's language.

A browser's own bubbles ("Please fill out this field.") speak the browser's language,
whatever the page's, and hide the server's message next to the field: every form says
`novalidate`. Fields keep `required`, which screen readers announce.
"""

from __future__ import annotations

import re
from pathlib import Path

TEMPLATES = Path(__file__).resolve().parents[1] / "hotline"
FORM_TAG = re.compile(r"<form\b[^>]*>")


def test_every_form_leaves_checking_to_the_server():
    tags = {
        f"{path.relative_to(TEMPLATES)}: {tag}"
        for path in TEMPLATES.rglob("*.html")
        for tag in FORM_TAG.findall(path.read_text(encoding="utf-8"))
    }

    assert tags, "no form found: the templates moved"
    assert [tag for tag in tags if " novalidate" not in tag] == []


def test_the_sign_in_form_keeps_its_required_fields(client):
    page = client.get("/login").get_data(as_text=True)

    form = FORM_TAG.search(page.split('<main id="main"')[1])[0]
    assert " novalidate" in form
    assert re.search(r'<input[^>]* id="email"[^>]* required', page)
