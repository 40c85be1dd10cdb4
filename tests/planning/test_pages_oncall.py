"""The planning overview and a hotline's page: who is on call now, and the dry run."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from tests.chain_history import record_baseline
from tests.planning.test_pages_calendar import change_default_chain

NOW = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)  # 10:00 in Paris


@pytest.fixture
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def team(make_person):
    return {n: make_person(n) for n in ("Alice", "Bruno", "Chloé", "Dmitri")}


def text_of(response):
    return response.get_data(as_text=True)


def chain_on(page: str) -> list[str]:
    """The names in the first chain list on the page, primary first."""
    block = page.split('<ol class="chain">')[1].split("</ol>")[0]
    return re.findall(r'class="(?:primary|backup)-name">([^<]+)<', block)


def test_overview_names_who_is_on_call_now_and_counts_gaps(
    frozen, client, login_as, hotline, make_hotline, team, make_slot
):
    make_slot(
        hotline, NOW - timedelta(hours=1), NOW + timedelta(days=7), [team["Alice"], team["Bruno"]]
    )
    make_hotline("+33184880002", name="Astreinte Sud")
    login_as("manager", hotlines=(hotline,))

    page = text_of(client.get("/planning/"))

    assert "Astreinte Nord" in page
    assert "Astreinte Sud" not in page, "a manager sees only the hotlines listed for them"
    assert chain_on(page) == ["Alice", "Bruno"]
    # Covered for 7 of the next 28 days: one gap, from the end of the slot on.
    assert "1 trou dans les 4 prochaines semaines" in page


def test_overview_counts_no_gap_where_the_default_chain_rings(
    frozen, client, login_as, hotline, team, make_slot, set_default_chain
):
    make_slot(hotline, NOW - timedelta(hours=1), NOW + timedelta(days=7), [team["Alice"]])
    set_default_chain(hotline, [team["Bruno"]])
    login_as("manager", hotlines=(hotline,))

    page = " ".join(text_of(client.get("/planning/")).split())

    # Worded as the gaps page says it, not "0 trou".
    assert "Aucun trou dans les 4 prochaines semaines" in page
    assert "1 plage couverte seulement par la chaîne par défaut" in page


def test_agents_read_every_hotline_and_admins_too(frozen, client, login_as, hotline, make_hotline):
    make_hotline("+33184880002", name="Astreinte Sud")
    login_as("agent")

    page = text_of(client.get("/planning/"))

    assert "Astreinte Nord" in page
    assert "Astreinte Sud" in page


def test_a_hotline_without_anyone_says_so(frozen, client, login_as, hotline):
    login_as("admin")

    page = text_of(client.get(f"/planning/hotlines/{hotline.id}"))

    assert "Personne n’est d’astreinte" in page


def test_hotline_page_shows_the_override_winning_now(
    frozen, client, login_as, hotline, team, make_slot
):
    make_slot(
        hotline, NOW - timedelta(days=1), NOW + timedelta(days=1), [team["Alice"], team["Bruno"]]
    )
    make_slot(
        hotline, NOW - timedelta(hours=1), NOW + timedelta(hours=3), [team["Chloé"]], override=True
    )
    login_as("supervisor", hotlines=(hotline,))

    page = text_of(client.get(f"/planning/hotlines/{hotline.id}"))

    assert chain_on(page) == ["Chloé"]
    assert "Source : remplacement" in page


@pytest.mark.parametrize(
    ("local", "expected"),
    [
        ("2026-03-10T12:00", ["Chloé"]),  # inside the override (11:00-15:00 local)
        ("2026-03-10T15:00", ["Alice", "Bruno"]),  # the override has ended: the regular slot
        ("2026-03-12T12:00", ["Dmitri"]),  # after every slot: the default chain
    ],
)
def test_dry_run_names_who_the_phone_would_ring(
    frozen, client, login_as, hotline, team, make_slot, set_default_chain, local, expected
):
    make_slot(
        hotline, NOW - timedelta(days=1), NOW + timedelta(days=1), [team["Alice"], team["Bruno"]]
    )
    make_slot(
        hotline, NOW + timedelta(hours=1), NOW + timedelta(hours=5), [team["Chloé"]], override=True
    )
    set_default_chain(hotline, [team["Dmitri"]])
    login_as("agent")

    response = client.get(f"/planning/hotlines/{hotline.id}", query_string={"at": local})

    assert response.status_code == 200
    page = text_of(response).split('id="dry-run"')[1]
    assert chain_on(page) == expected


def test_dry_run_reads_the_time_in_the_hotlines_zone(
    frozen, client, login_as, make_hotline, team, make_slot
):
    tokyo = make_hotline("+33184880003", name="Tokyo", timezone="Asia/Tokyo")
    # 09:00-10:00 in Tokyo is 00:00-01:00 UTC.
    make_slot(
        tokyo,
        datetime(2026, 3, 20, 0, 0, tzinfo=UTC),
        datetime(2026, 3, 20, 1, 0, tzinfo=UTC),
        [team["Alice"]],
    )
    login_as("admin")

    page = text_of(
        client.get(f"/planning/hotlines/{tokyo.id}", query_string={"at": "2026-03-20T09:30"})
    )

    assert chain_on(page.split('id="dry-run"')[1]) == ["Alice"]


def test_dry_run_at_a_time_skipped_by_dst_is_refused_at_the_field(
    frozen, client, login_as, hotline
):
    login_as("manager", hotlines=(hotline,))

    response = client.get(
        f"/planning/hotlines/{hotline.id}", query_string={"at": "2026-03-29T02:30"}
    )

    assert response.status_code == 400
    page = text_of(response)
    errors = page.split('id="at-errors"')[1].split("</ul>")[0]
    assert "dim. 29 mars 2026 02:30 n’existe pas en Europe/Paris" in errors


def test_dry_run_at_a_repeated_time_answers_for_both(
    frozen, client, login_as, hotline, team, make_slot
):
    # 02:30 happens at 00:30 UTC (summer time) and at 01:30 UTC (winter time) on 25 October.
    make_slot(
        hotline,
        datetime(2026, 10, 25, 0, 0, tzinfo=UTC),
        datetime(2026, 10, 25, 1, 0, tzinfo=UTC),
        [team["Alice"]],
    )
    make_slot(
        hotline,
        datetime(2026, 10, 25, 1, 0, tzinfo=UTC),
        datetime(2026, 10, 25, 2, 0, tzinfo=UTC),
        [team["Bruno"]],
    )
    login_as("admin")

    response = client.get(
        f"/planning/hotlines/{hotline.id}", query_string={"at": "2026-10-25T02:30"}
    )

    assert response.status_code == 200
    answers = text_of(response).split('class="dry-run-answer"')[1:]
    assert [chain_on(a) for a in answers] == [["Alice"], ["Bruno"]]
    assert "survient deux fois" in text_of(response)
    # Each answer says which 02:30 it is: summer time first, then winter time.
    assert "heure d’été d’Europe centrale (UTC+02:00)" in answers[0]
    assert "heure normale d’Europe centrale (UTC+01:00)" in answers[1]


@pytest.mark.parametrize(
    "raw", ["", "tomorrow", "2026-02-30T10:00", "2026-03-10", "0001-01-01T00:00"]
)
def test_dry_run_with_a_bad_date_is_a_400_with_a_message(frozen, client, login_as, hotline, raw):
    login_as("admin")

    response = client.get(f"/planning/hotlines/{hotline.id}", query_string={"at": raw})

    assert response.status_code == 400
    assert 'id="at-errors"' in text_of(response)


def test_my_shifts_lists_my_coming_shifts_only(frozen, client, login_as, hotline, team, make_slot):
    make_slot(
        hotline, NOW + timedelta(days=1), NOW + timedelta(days=2), [team["Alice"], team["Bruno"]]
    )
    make_slot(hotline, NOW + timedelta(days=2), NOW + timedelta(days=3), [team["Chloé"]])
    make_slot(hotline, NOW - timedelta(days=3), NOW - timedelta(days=2), [team["Bruno"]])
    login_as("agent", person=team["Bruno"])

    page = text_of(client.get("/planning/mine"))

    rows = page.split("<tbody>")[1].split("</tbody>")[0].split("<tr")[1:]
    assert len(rows) == 1, "the past shift and Chloé's are not mine"
    assert '<td data-label="Rôle">Renfort 1' in rows[0]
    assert "mer. 11 mars 10:00" in rows[0]


@pytest.mark.parametrize(
    ("language", "roles"),
    [("fr", ["Titulaire", "Renfort 1", "Renfort 2"]), ("en", ["Primary", "Backup 1", "Backup 2"])],
)
def test_my_shifts_name_my_place_in_the_chain_with_a_capital(
    frozen, client, login_as, hotline, team, make_slot, language, roles
):
    chains = [["Bruno", "Alice"], ["Alice", "Bruno"], ["Alice", "Chloé", "Bruno"]]
    for day, names in enumerate(chains, start=1):
        start = NOW + timedelta(days=day)
        make_slot(hotline, start, start + timedelta(hours=12), [team[n] for n in names])
    login_as("agent", person=team["Bruno"], language=language)

    page = text_of(client.get("/planning/mine"))

    cells = re.findall(r'<td data-label="(?:Rôle|Role)">([^<]+)', page)
    assert [cell.strip() for cell in cells] == roles


def test_my_shifts_say_in_which_time_zone_their_times_are(
    frozen, client, login_as, make_hotline, team, make_slot
):
    paris = make_hotline(name="Astreinte Paris")
    start = NOW + timedelta(days=1)
    make_slot(paris, start, start + timedelta(hours=12), [team["Bruno"]])
    login_as("agent", person=team["Bruno"], language="fr")

    assert "Heures du fuseau horaire Europe/Paris." in text_of(client.get("/planning/mine"))

    reunion = make_hotline("+262262000000", name="Astreinte Réunion", timezone="Indian/Reunion")
    make_slot(reunion, start, start + timedelta(hours=12), [team["Bruno"]])

    page = text_of(client.get("/planning/mine"))
    assert "Heures du fuseau horaire de chaque ligne." in page
    assert "Heures du fuseau horaire Europe/Paris." not in page


def test_my_shifts_without_a_linked_person_explains_why(frozen, client, login_as):
    login_as("supervisor")

    assert "n’est lié à aucune personne" in text_of(client.get("/planning/mine"))


def my_rows(page: str) -> list[str]:
    """The rows of "My shifts", as text without tags."""
    body = page.split("<tbody>")[1].split("</tbody>")[0]
    rows = [row.split(">", 1)[1] for row in body.split("<tr")[1:]]
    return [" ".join(re.sub(r"<[^>]+>", " ", row).split()) for row in rows]


def test_my_shifts_leave_out_what_an_override_gave_to_someone_else(
    frozen, db_session, client, login_as, hotline, team, make_slot
):
    from hotline.planning.overrides import replace_person

    start = NOW + timedelta(days=1)
    make_slot(hotline, start, start + timedelta(days=1), [team["Bruno"]])
    replace_person(db_session, hotline.id, person_id=team["Bruno"].id,
                   replacement_id=team["Chloé"].id, starts_at=start,
                   ends_at=start + timedelta(hours=12), user_id=None)  # fmt: skip
    login_as("agent", person=team["Bruno"])

    rows = my_rows(text_of(client.get("/planning/mine")))

    # Only the half Bruno still holds: Chloé takes the calls until 22:00.
    assert len(rows) == 1
    assert "mer. 11 mars 22:00 jeu. 12 mars 10:00" in rows[0]


def test_my_swapped_shift_shows_once_as_the_override(
    frozen, db_session, client, login_as, hotline, team, make_slot
):
    from hotline.planning.overrides import swap_shifts

    first = NOW + timedelta(days=1)
    mine = make_slot(hotline, first, first + timedelta(days=1), [team["Bruno"]])
    theirs = make_slot(hotline, first + timedelta(days=2), first + timedelta(days=3),
                       [team["Chloé"]])  # fmt: skip
    swap_shifts(db_session, mine.id, theirs.id, user_id=None)
    login_as("agent", person=team["Bruno"])

    rows = my_rows(text_of(client.get("/planning/mine")))

    assert len(rows) == 1, "the shift Bruno gave away is not his any more"
    assert "ven. 13 mars 10:00" in rows[0]
    assert "remplacement" in rows[0]


def test_my_shift_under_way_shows_when_it_really_started(
    frozen, client, login_as, hotline, team, make_slot
):
    make_slot(hotline, NOW - timedelta(hours=2), NOW + timedelta(hours=10), [team["Bruno"]])
    login_as("agent", person=team["Bruno"])

    (row,) = my_rows(text_of(client.get("/planning/mine")))

    assert "mar. 10 mars 08:00 mar. 10 mars 20:00" in row


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("fr", "mer. 11 mars 10:00 jeu. 12 mars 10:00 Renfort 1 chaîne par défaut Chloé, Bruno"),
        ("en", "Wed 11 Mar 10:00 Thu 12 Mar 10:00 Backup 1 default chain Chloé, Bruno"),
    ],
    ids=["fr", "en"],
)
def test_my_shifts_list_the_hours_only_the_default_chain_rings_me(
    frozen, client, login_as, hotline, team, make_slot, set_default_chain, language, expected
):
    set_default_chain(hotline, [team["Chloé"], team["Bruno"]])
    # Alice until tomorrow 10:00, then nobody until the day after, then Alice to the horizon.
    make_slot(hotline, NOW - timedelta(hours=1), NOW + timedelta(days=1), [team["Alice"]])
    make_slot(hotline, NOW + timedelta(days=2), NOW + timedelta(days=91), [team["Alice"]])
    login_as("agent", person=team["Bruno"], language=language)

    page = text_of(client.get("/planning/mine"))

    assert my_rows(page) == [f"Astreinte Nord {expected}"]
    assert 'class="default-cover"' in page


def test_my_place_in_the_default_chain_is_the_one_a_call_rings(
    frozen, client, login_as, hotline, team, make_slot, set_default_chain
):
    set_default_chain(hotline, [team["Chloé"], team["Bruno"]])
    team["Chloé"].active = False  # left out when a call rings the chain
    make_slot(hotline, NOW + timedelta(days=1), NOW + timedelta(days=91), [team["Alice"]])
    login_as("agent", person=team["Bruno"])

    (row,) = my_rows(text_of(client.get("/planning/mine")))

    # From now on, as the gaps page counts it: the hours behind cannot ring any more.
    assert row == (
        "Astreinte Nord en cours mar. 10 mars 10:00 mer. 11 mars 10:00 "
        "Titulaire chaîne par défaut Bruno"
    )


def test_numbers_of_the_chain_on_call_are_links_to_dial(
    frozen, client, login_as, hotline, make_person, make_slot
):
    alice = make_person("Alice", mobile="+33612345601")
    bruno = make_person("Bruno", mobile="+33612345602")
    make_slot(hotline, NOW - timedelta(hours=1), NOW + timedelta(hours=8), [alice, bruno])
    login_as("agent", person=bruno)  # Bruno serves the hotline with Alice

    page = text_of(client.get("/planning/"))

    assert '<a class="tel" href="tel:+33612345601">06 12 34 56 01</a>' in page
    assert "non communiqué" not in page


def test_an_agent_of_another_team_sees_who_is_on_call_but_not_their_numbers(
    frozen, client, login_as, hotline, make_hotline, make_person, make_slot
):
    alice = make_person("Alice", mobile="+33612345601")
    make_slot(hotline, NOW - timedelta(hours=1), NOW + timedelta(hours=8), [alice])
    south = make_hotline("+33184880002", name="Astreinte Sud")
    chloe = make_person("Chloé", mobile="+33612345603")
    make_slot(south, NOW - timedelta(hours=1), NOW + timedelta(hours=8), [chloe])
    login_as("agent", person=chloe)

    overview = text_of(client.get("/planning/"))
    page = text_of(client.get(f"/planning/hotlines/{hotline.id}?at=2026-03-10T12:00"))

    for shown in (overview, page):
        assert "Alice" in shown
        assert "+33612345601" not in shown
        assert "06 12 34 56 01" not in shown
        assert "numéro non communiqué" in shown
        assert "Les numéros non communiqués ne sont visibles" in shown
    assert page.count("numéro non communiqué") == 2, "on call now, and the dry run's answer"
    assert '<a class="tel" href="tel:+33612345603">06 12 34 56 03</a>' in overview, "her own"


def test_a_withheld_number_is_said_in_english_too(
    frozen, client, login_as, hotline, make_person, make_slot
):
    make_slot(hotline, NOW - timedelta(hours=1), NOW + timedelta(hours=8), [make_person("Alice")])
    login_as("supervisor", hotlines=(hotline,), language="en")

    page = text_of(client.get(f"/planning/hotlines/{hotline.id}"))

    assert "number withheld" in page
    assert "Withheld numbers are shown only to admins" in page


def test_the_hotlines_manager_sees_the_numbers_on_its_page(
    frozen, client, login_as, hotline, make_person, make_slot
):
    make_slot(hotline, NOW - timedelta(hours=1), NOW + timedelta(hours=8), [make_person("Alice")])
    login_as("manager", hotlines=(hotline,))

    page = text_of(client.get(f"/planning/hotlines/{hotline.id}"))

    assert 'class="tel"' in page
    assert "non communiqué" not in page


def test_my_shifts_name_the_year_only_when_it_is_not_this_one(
    client, login_as, hotline, team, make_slot
):
    december = datetime(2026, 12, 20, 9, 0, tzinfo=UTC)
    make_slot(hotline, december + timedelta(days=1), december + timedelta(days=2), [team["Bruno"]])
    january = datetime(2027, 1, 5, 9, 0, tzinfo=UTC)
    make_slot(hotline, january, january + timedelta(hours=12), [team["Bruno"]])

    with time_machine.travel(december, tick=False):
        login_as("agent", person=team["Bruno"])  # then: sessions end when idle for long
        this, next_year = my_rows(text_of(client.get("/planning/mine")))

    assert "lun. 21 déc. 10:00 mar. 22 déc. 10:00" in this
    assert "mar. 5 janv. 2027 10:00 mar. 5 janv. 2027 22:00" in next_year


def test_my_shift_under_way_is_marked(frozen, client, login_as, hotline, team, make_slot):
    make_slot(hotline, NOW - timedelta(hours=2), NOW + timedelta(hours=10), [team["Bruno"]])
    make_slot(hotline, NOW + timedelta(days=1), NOW + timedelta(days=2), [team["Bruno"]])
    login_as("agent", person=team["Bruno"])

    now, later = my_rows(text_of(client.get("/planning/mine")))

    assert "en cours" in now
    assert "en cours" not in later


# How far each page looks, the view setting that holds it, and that setting at one unit.
ONE_UNIT_AHEAD = [
    ("hotline.planning.views", "MY_SHIFTS_DAYS", 1, "/planning/mine"),
    ("hotline.planning.views", "SHIFT_TAKES_SHOWN", timedelta(days=1), "/planning/hotlines/{id}"),
    ("hotline.planning.views", "DEFAULT_GAP_WEEKS", 1, "/planning/"),
    (
        "hotline.planning.views_overrides",
        "AHEAD",
        timedelta(weeks=1),
        "/planning/hotlines/{id}/overrides",
    ),
]


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        (
            "fr",
            [
                "Aucune astreinte dans les prochaines 24 heures.",
                "Aucune prise de poste ces dernières 24 heures.",
                "1 trou dans la semaine qui vient",
                "Aucun remplacement dans la semaine qui vient.",
            ],
        ),
        (
            "en",
            [
                "No shift in the next 24 hours.",
                "No shift take in the last 24 hours.",
                "1 gap in the coming week",
                "No override in the coming week.",
            ],
        ),
    ],
)
def test_a_span_of_one_day_or_week_is_said_in_the_singular(
    frozen, monkeypatch, client, login_as, hotline, team, language, expected
):
    login_as("manager", hotlines=(hotline,), person=team["Bruno"], language=language)
    for (module, setting, one, path), sentence in zip(ONE_UNIT_AHEAD, expected, strict=True):
        monkeypatch.setattr(f"{module}.{setting}", one)

        page = " ".join(text_of(client.get(path.format(id=hotline.id))).split())

        assert sentence in page, (path, sentence)


def test_the_usual_spans_are_said_in_the_plural(frozen, client, login_as, hotline, team):
    login_as("manager", hotlines=(hotline,), person=team["Bruno"])

    pages = [
        " ".join(text_of(client.get(path.format(id=hotline.id))).split())
        for *_, path in ONE_UNIT_AHEAD
    ]

    assert "Aucune astreinte dans les 90 prochains jours." in pages[0]
    assert "Aucune prise de poste ces 7 derniers jours." in pages[1]
    assert "1 trou dans les 4 prochaines semaines" in pages[2]
    assert "Aucun remplacement dans les 12 prochaines semaines." in pages[3]


# -- a past moment no slot covered: the default chain in force then -------------------------

CHANGED = datetime(2026, 3, 10, 5, 0, tzinfo=UTC)  # 06:00 in Paris, this morning


def dry_run(client, hotline, local: str) -> str:
    response = client.get(f"/planning/hotlines/{hotline.id}", query_string={"at": local})
    assert response.status_code == 200
    return text_of(response).split('id="dry-run"')[1]


def test_dry_run_of_a_past_moment_names_the_default_chain_in_force_then(
    client, login_as, submit, hotline, team, set_default_chain
):
    set_default_chain(hotline, [team["Alice"]])
    with time_machine.travel(CHANGED, tick=False) as clock:
        login_as("admin")
        change_default_chain(submit, hotline, [team["Bruno"], team["Chloé"]])
        clock.move_to(NOW)
        before = dry_run(client, hotline, "2026-03-10T05:59")
        after = dry_run(client, hotline, "2026-03-10T06:00")
        ahead = dry_run(client, hotline, "2026-03-12T12:00")

    # Alice alone was the default chain until 06:00, whatever it is today.
    assert chain_on(before) == ["Alice"]
    assert "chaîne par défaut" in before
    assert chain_on(after) == ["Bruno", "Chloé"]
    assert chain_on(ahead) == ["Bruno", "Chloé"]


def test_dry_run_of_a_moment_before_the_history_says_it_is_not_recorded(
    client, login_as, db_session, hotline, team, set_default_chain
):
    record_baseline(db_session, hotline, team["Alice"], CHANGED)
    set_default_chain(hotline, [team["Alice"]])

    with time_machine.travel(NOW, tick=False):
        login_as("admin")
        before = dry_run(client, hotline, "2026-03-10T05:59")
        after = dry_run(client, hotline, "2026-03-10T06:00")

    assert '<ol class="chain">' not in before
    assert "chaîne par défaut, dont la composition d’alors n’est pas enregistrée" in before
    assert "Personne n’est d’astreinte" not in before
    assert chain_on(after) == ["Alice"]


@pytest.mark.parametrize(
    ("language", "weeks", "said"),
    [
        ("en", 4, "No gap in the next 4 weeks"),
        ("en", 1, "No gap in the coming week"),
        ("fr", 1, "Aucun trou dans la semaine qui vient"),
    ],
)
def test_overview_says_no_gap_in_words(
    frozen, monkeypatch, client, login_as, hotline, team, make_slot, language, weeks, said
):
    make_slot(hotline, NOW - timedelta(hours=1), NOW + timedelta(weeks=5), [team["Alice"]])
    monkeypatch.setattr("hotline.planning.views.DEFAULT_GAP_WEEKS", weeks)
    login_as("manager", hotlines=(hotline,), language=language)

    page = " ".join(text_of(client.get("/planning/")).split())

    assert said in page
    assert "0 gap" not in page
    assert "0 trou" not in page
