"""Alert texts as a French on-call team reads them: wording, dates, and what an SMS costs."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from hotline.alerts import messages, tasks
from hotline.alerts.messages import fit_sms, is_gsm7, render, sms_segments

WHEN = "05/03/2026 à 08:00"
CONTEXTS = {
    "call_received": {"caller": "06 99 88 77 66", "caller_withheld": False},
    "missed_call": {
        "caller": "06 99 88 77 66",
        "caller_withheld": False,
        "has_message": True,
        "duration": 1,
        "call_url": "https://hotline.example.org/stats/calls/12",
        "chain_names": "Alice, Bruno",
    },
    "late_voicemail": {
        "caller": "06 99 88 77 66",
        "caller_withheld": False,
        "duration": 1,
        "call_url": "https://hotline.example.org/stats/calls/12",
    },
    "leg_failed": {"target_name": "Alice Martin", "number": "06 12 34 56 01"},
    "shift_reminder": {"minutes": 1, "starts_time": "08:00", "asks_confirmation": True},
    "shift_take": {"outgoing_name": "Bruno"},
    "shift_unconfirmed": {"incoming_name": "Alice", "outgoing_name": "Bruno", "minutes": 1},
    "coverage_gap": {"days": 7, "gaps": [{"start": WHEN, "end": WHEN}], "has_default_chain": 0},
    "test": {},
}
COMMON = {
    "name": "Alice",
    "hotline_name": "Astreinte IT",
    "hotline_number": "01 84 88 12 34",
    "when": WHEN,
    "starts": WHEN,
    "ends": WHEN,
}


def french(app, kind: str, **context) -> messages.Message:
    with app.app_context():
        return render(app.jinja_env, kind, "fr", {**COMMON, **CONTEXTS[kind], **context})


@pytest.mark.parametrize("kind", sorted(CONTEXTS))
def test_french_alerts_have_no_gender_or_plural_marks(app, kind):
    message = french(app, kind)

    for text in (message.subject, message.sms, message.email):
        assert "(e)" not in text
        assert "(s)" not in text
        assert " 1 minutes" not in text
        assert " 1 secondes" not in text


@pytest.mark.parametrize("kind", sorted(CONTEXTS))
def test_french_alert_emails_use_the_pages_apostrophe_and_sms_stay_in_gsm7(app, kind):
    message = french(app, kind)

    assert "'" not in message.subject + message.email
    assert is_gsm7(message.sms), "one character outside GSM-7 halves what a segment holds"


def test_a_french_alert_says_the_local_date_then_a_at_the_time():
    moment = datetime(2026, 3, 5, 7, 0, tzinfo=UTC)

    assert messages.local_datetime(moment, "Europe/Paris", "fr") == "05/03/2026 à 08:00"
    assert messages.local_datetime(moment, "Europe/Paris", "en") == "05 Mar 2026 08:00"


def test_a_withheld_caller_is_d_un_numero_masque_and_a_number_du(app):
    withheld = french(app, "missed_call", caller="numéro masqué", caller_withheld=True)
    dialled = french(app, "missed_call")

    assert "Message vocal (1 s) d'un numéro masqué le" in withheld.sms
    assert "à l’appel d’un numéro masqué sur la ligne" in withheld.email
    assert "Message vocal (1 s) du 06 99 88 77 66 le" in dialled.sms


def test_the_update_on_a_withheld_caller_s_message_says_d_un_numero_masque(app):
    withheld = french(app, "late_voicemail", caller="numéro masqué", caller_withheld=True)

    assert "Rectificatif : message (1 s) d'un numéro masqué le" in withheld.sms
    assert "Rectificatif sur l’appel manqué d’un numéro masqué sur la ligne" in withheld.email


def test_the_leg_failed_sms_says_who_without_de_before_a_vowel(app):
    sms = french(app, "leg_failed").sms

    assert "de Alice" not in sms
    assert "L'appel vers Alice Martin au 06 12 34 56 01 a échoué le 05/03/2026 à 08:00" in sms


def test_one_gap_is_said_in_the_singular(app):
    one = french(app, "coverage_gap")
    two = french(app, "coverage_gap", gaps=[{"start": WHEN, "end": WHEN}] * 2)

    assert one.subject == "1 trou dans le planning Astreinte IT"
    assert "le premier" not in one.sms
    assert two.subject == "2 trous dans le planning Astreinte IT"
    assert "2 trous dans le planning des 7 prochains jours, le premier du" in two.sms


def test_an_sms_is_cut_to_three_segments_whatever_its_characters():
    accented = "Numéro à rappeler en priorité : la ligne de la forêt. " * 12  # ê: UCS-2
    plain = "Numero a rappeler en priorite : la ligne de la foret. " * 12

    assert sms_segments(fit_sms(accented)) == 3
    assert sms_segments(fit_sms(plain)) == 3
    assert fit_sms(accented).endswith("...")
    assert len(fit_sms(plain)) == 3 * 153


@pytest.mark.parametrize("name", ["Astreinte forêt", "Astreinte foret"])  # UCS-2, GSM-7
def test_a_cut_sms_keeps_the_link_whole_and_cuts_the_text_before_it(name):
    link = "https://hotline.example.org/stats/calls/123456"
    text = f"[{name} {'de nuit ' * 60}] Message vocal. Écouter (12 s) : {link}"

    fitted = fit_sms(text, keep=link)

    assert sms_segments(fitted) == 3
    assert fitted.endswith(f"... {link}")
    assert fitted.startswith(f"[{name} de nuit")


def test_a_link_too_long_to_keep_is_cut_like_any_text():
    link = "https://hotline.example.org/" + "x" * 600

    assert sms_segments(fit_sms(f"Message vocal : {link}", keep=link)) == 3


def test_typographic_apostrophes_in_names_do_not_make_an_sms_ucs2(app):
    message = french(app, "call_received", hotline_name="Astreinte d’Orléans – nuit")

    assert message.sms.startswith("[Astreinte d'Orléans - nuit] Appel entrant du 06 99 88 77 66")
    assert is_gsm7(message.sms)
    assert sms_segments(message.sms) == 1


@pytest.mark.parametrize("block", ["confirmed", "nothing", "help"])
def test_french_sms_replies_stay_in_one_gsm7_segment(app, block):
    with app.app_context():
        text = messages.render_block(
            app.jinja_env,
            "sms_replies",
            "fr",
            block,
            {"hotline_name": "Astreinte IT", "starts": WHEN},
        )

    assert is_gsm7(text)
    assert sms_segments(text) == 1


def test_a_one_day_gap_digest_says_the_next_24_hours_in_each_language(app):
    french_digest = french(app, "coverage_gap", days=1)
    with app.app_context():
        english = render(
            app.jinja_env, "coverage_gap", "en", {**COMMON, **CONTEXTS["coverage_gap"], "days": 1}
        )

    assert "1 trou dans le planning des prochaines 24 heures, du" in french_digest.sms
    assert "cette période des prochaines 24 heures :" in french_digest.email
    assert english.subject == "1 gap in the Astreinte IT planning"
    assert "1 gap in the planning of the next 24 hours, from" in english.sms
    assert "leaves this span of the next 24 hours uncovered:" in english.email


# What a hotline's alerts look like a few years in: tens of thousands of calls.
REALISTIC_CALL_ID, REALISTIC_PERSON = 48213, "person:57"


@pytest.mark.parametrize("kind", ["missed_call", "late_voicemail"])
@pytest.mark.parametrize(
    ("language", "when", "withheld"),
    [
        ("fr", "28/11/2026 à 08:00", "numéro masqué"),
        ("en", "28 Nov 2026 08:00", "withheld number"),
    ],
)
@pytest.mark.parametrize("caller_withheld", [False, True])
def test_a_voicemail_sms_with_its_listen_link_is_one_gsm7_segment(
    app, kind, language, when, withheld, caller_withheld
):
    app.config["PUBLIC_BASE_URL"] = "https://hotline.example.org"
    link = tasks.listen_url(app, REALISTIC_CALL_ID, REALISTIC_PERSON)
    context = {
        **COMMON,
        **CONTEXTS[kind],
        "has_message": True,
        "duration": 12,
        "call_url": None,
        "listen_url": link,
        "when": when,
        "caller": withheld if caller_withheld else "06 99 88 77 66",
        "caller_withheld": caller_withheld,
    }
    with app.app_context():
        sms = render(app.jinja_env, kind, language, context).sms

    assert sms.endswith(" " + link)
    assert "12 s" in sms
    assert sms.startswith("[Astreinte IT] ")
    assert is_gsm7(sms)
    assert sms_segments(sms) == 1, f"{len(sms)} characters: {sms}"
