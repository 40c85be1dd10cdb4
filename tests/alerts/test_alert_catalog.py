"""Alert texts come from the app's catalog: every one has its French, every kind reads French."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from hotline.alerts.messages import render, render_block

ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = ROOT / "hotline" / "alerts" / "templates" / "alerts" / "messages"
FRENCH_CATALOG = ROOT / "hotline" / "translations" / "fr" / "LC_MESSAGES" / "messages.po"
# Templates of named blocks (labels, replies) rather than one message of a kind.
BLOCK_SETS = ("kind_labels", "sms_replies")
WHEN = "05/03/2026 à 08:00"
CALL_URL = "https://hotline.example.org/stats/calls/12"
LISTEN_URL = "https://hotline.example.org/listen/WzEyLDFd.awquFQ.pPKILsJyzDsFmbw9rEj7qIHda1E"
COMMON = {
    "name": "Alice",
    "recipient_person_id": 1,
    "hotline_name": "Astreinte IT",
    "hotline_number": "01 84 88 12 34",
    "when": WHEN,
    "starts": WHEN,
    "ends": WHEN,
    "starts_time": "08:00",
}
CALLER = {"caller": "06 99 88 77 66", "caller_withheld": False}
WITHHELD = {"caller_withheld": True}
GAP = {"start": WHEN, "end": WHEN}
# Each kind with contexts that, together, take every branch of its template.
VARIANTS = {
    "call_received": [CALLER, {**CALLER, **WITHHELD}],
    "missed_call": [
        {
            **CALLER,
            "has_message": True,
            "duration": 1,
            "call_url": CALL_URL,
            "chain_names": "Bruno",
        },
        {**CALLER, **WITHHELD, "has_message": True, "duration": 12},
        # A person's own listen link; with the call's page when they sign in, or alone.
        {
            **CALLER,
            "has_message": True,
            "duration": 3,
            "listen_url": LISTEN_URL,
            "call_url": CALL_URL,
        },
        {**CALLER, "has_message": True, "duration": 3, "listen_url": LISTEN_URL},
        {**CALLER, "has_message": False, "call_url": CALL_URL, "chain_names": ""},
        {**CALLER, **WITHHELD, "has_message": False},
    ],
    "late_voicemail": [
        {**CALLER, "duration": 1, "call_url": CALL_URL},
        {**CALLER, **WITHHELD, "duration": 12},
        {**CALLER, "duration": 3, "listen_url": LISTEN_URL, "call_url": CALL_URL},
        {**CALLER, "duration": 3, "listen_url": LISTEN_URL},
    ],
    "leg_failed": [
        {"target_name": "Bruno Petit", "target_person_id": 2, "number": "06 12 34 56 01"},
        {"target_name": "Alice Martin", "target_person_id": 1, "number": "06 12 34 56 01"},
    ],
    "shift_reminder": [
        {"minutes": 1, "asks_confirmation": True},
        {"minutes": 15, "asks_confirmation": False},
    ],
    "shift_take": [{"outgoing_name": "Bruno"}, {"outgoing_name": None}],
    "shift_unconfirmed": [
        {"incoming_name": "Alice", "outgoing_name": "Bruno", "minutes": 1},
        {"incoming_name": "Alice", "outgoing_name": None, "minutes": 10},
    ],
    "coverage_gap": [
        {"days": 7, "gaps": [GAP], "has_default_chain": True},
        {"days": 1, "gaps": [GAP, GAP], "has_default_chain": False},
    ],
    "test": [{}],
}
PLACEHOLDER = re.compile(r"%\(\w+\)s")


def alert_msgids() -> list[tuple[str | None, tuple[str, ...]]]:
    """(context, English texts) of every {% trans %} block in the alert templates."""
    options = {"**.txt": {"silent": "false"}}  # a template that does not parse fails here
    return [
        (context, message if isinstance(message, tuple) else (message,))
        for _file, _line, message, _comments, context in extract_from_dir(
            TEMPLATES, [("**.txt", "jinja2")], options_map=options
        )
    ]


@cache
def english_phrases() -> frozenset[str]:
    """The words of the English source texts between their placeholders (two words or more)."""
    fragments = (
        fragment.strip()
        for _context, texts in alert_msgids()
        for text in texts
        for fragment in PLACEHOLDER.split(text)
    )
    return frozenset(f for f in fragments if " " in f)


def english_left_in(text: str) -> list[str]:
    return sorted(phrase for phrase in english_phrases() if phrase in text)


def test_every_alert_kind_has_one_template_and_every_text_a_french_translation():
    with FRENCH_CATALOG.open("rb") as po:
        catalog = read_po(po)
    found = alert_msgids()
    untranslated = []
    for context, texts in found:
        entry = catalog.get(texts[0], context=context)
        strings = () if entry is None else entry.string
        strings = strings if isinstance(strings, tuple) else (strings,)
        if entry is None or entry.fuzzy or not all(strings):
            untranslated.append((context, texts[0]))

    assert sorted(p.name for p in TEMPLATES.iterdir()) == sorted(
        f"{name}.txt" for name in (*VARIANTS, *BLOCK_SETS)
    )
    assert len(found) > 80
    assert untranslated == []


@pytest.mark.parametrize("kind", sorted(VARIANTS))
def test_every_alert_kind_reads_in_french_with_no_english_left(app, kind):
    with app.app_context():
        for variant in VARIANTS[kind]:
            context = {**COMMON, **variant}
            french = render(app.jinja_env, kind, "fr", context)
            english = render(app.jinja_env, kind, "en", context)
            for part in ("subject", "sms", "email", "voice"):
                in_english, in_french = getattr(english, part), getattr(french, part)
                assert bool(in_french) == bool(in_english), (part, variant)
                if in_english:
                    assert in_french != in_english, (part, variant)
                    assert english_left_in(in_french) == [], (part, variant, in_french)


@pytest.mark.parametrize("name", BLOCK_SETS)
def test_every_alert_label_and_reply_reads_in_french(app, name):
    context = {"hotline_name": "Astreinte IT", "starts": WHEN}
    blocks = app.jinja_env.get_template(f"alerts/messages/{name}.txt").blocks
    with app.app_context():
        for block in blocks:
            french = render_block(app.jinja_env, name, "fr", block, context)
            english = render_block(app.jinja_env, name, "en", block, context)
            assert french
            assert french != english, block
            assert english_left_in(french) == [], (block, french)


@pytest.mark.parametrize(
    ("kind", "extra", "one", "many"),
    [
        ("shift_reminder", {"asks_confirmation": False}, "starts in 1 minute,", "in 15 minutes,"),
        ("shift_unconfirmed", {"incoming_name": "Alice", "outgoing_name": None},
         "after 1 minute.", "after 15 minutes."),
    ],
)  # fmt: skip
def test_a_count_of_minutes_reads_right_in_both_languages(app, kind, extra, one, many):
    french_one = {"shift_reminder": "dans 1 minute,", "shift_unconfirmed": "après 1 minute."}
    with app.app_context():
        texts = {
            (language, minutes): render(
                app.jinja_env, kind, language, {**COMMON, **extra, "minutes": minutes}
            ).email
            for language in ("en", "fr")
            for minutes in (1, 15)
        }
    assert one in texts["en", 1]
    assert many in texts["en", 15]
    assert french_one[kind] in texts["fr", 1]
