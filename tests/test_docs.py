"""What the README and docs/ show a reader to type exists, and their examples work."""

from __future__ import annotations

import json
import re
from pathlib import Path

import click
from flask import Flask
from flask.cli import routes_command, run_command, shell_command

from hotline.api.openapi import openapi_document

ROOT = Path(__file__).resolve().parents[1]
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]

# A command as a reader types it: at the start of a code span or of a shell line, after
# `$ `, `&& `, `.venv/bin/` or a VARIABLE=value prefix (not `createdb -O hotline ...`).
COMMAND = re.compile(r"(?:^|\$ |&& |\.venv/bin/|[A-Z_]+=\S+ )hotline ([^`#\n]*)")
FENCE = re.compile(r"^```[a-z]*\n(.*?)^```", re.MULTILINE | re.DOTALL)
SPAN = re.compile(r"`([^`\n]+)`")
OPTION = re.compile(r"(?<![\w-])--[a-z][a-z-]*")


def shown_commands(text: str) -> list[str]:
    """The `hotline ...` command lines of a Markdown text, code spans and blocks."""
    lines = [line for block in FENCE.findall(text) for line in block.splitlines()]
    lines += SPAN.findall(FENCE.sub("", text))
    return [match.group(1).strip() for line in lines for match in COMMAND.finditer(line)]


def resolve(group: click.Group, words: list[str]) -> tuple[click.Command | None, list[str]]:
    """The command the leading words name (None when the first is no command), the rest."""
    command: click.Command | None = None
    names = dict(group.commands)
    while words and words[0] in names:
        command = names[words[0]]
        words = words[1:]
        names = dict(command.commands) if isinstance(command, click.Group) else {}
    return command, words


def test_every_hotline_command_and_option_the_docs_show_exists(app: Flask):
    # The `hotline` script is a FlaskGroup: the app's commands and Flask's own.
    group = click.Group(commands=[*app.cli.commands.values()])
    for flask_command in (run_command, shell_command, routes_command):
        group.add_command(flask_command)
    unknown = []
    for doc in DOCS:
        for line in shown_commands(doc.read_text(encoding="utf-8")):
            command, rest = resolve(group, line.split())
            if command is None:
                unknown.append(f"{doc.name}: hotline {line}")
                continue
            known = {name for param in command.params for name in param.opts}
            unknown += [
                f"{doc.name}: hotline {line}: {option}"
                for option in OPTION.findall(" ".join(rest))
                if option not in known | {"--help"}
            ]
    assert unknown == []


def test_the_docs_show_commands_to_check():
    # Guards the extraction above: it finds the README's commands, and not prose.
    readme = shown_commands((ROOT / "README.md").read_text(encoding="utf-8"))
    assert "create-user EMAIL --role admin" in readme
    assert "simulate --legs no-answer,busy,no-answer --message 12" in readme
    assert shown_commands("`createdb -O hotline hotline` and the hotline name") == []


def test_the_planning_file_example_imports_as_its_page_says(runner, db_session, tmp_path):
    page = (ROOT / "docs" / "planning-file.md").read_text(encoding="utf-8")
    (example,) = re.findall(r"^```json\n(.*?)^```", page, re.MULTILINE | re.DOTALL)
    path = tmp_path / "planning.json"
    path.write_text(example, encoding="utf-8")

    result = runner.invoke(args=["planning", "import", str(path)])
    exported = runner.invoke(args=["planning", "export"])

    assert result.exit_code == 0, result.output
    assert result.stdout == "3 people, 1 hotline, 3 slots imported\n"
    hotline = json.loads(exported.stdout)["hotlines"][0]
    assert [slot["note"] for slot in hotline["slots"] if slot["override"]] == [
        "Alice at the dentist"
    ]


def test_every_api_path_in_the_api_page_is_described(app: Flask):
    page = (ROOT / "docs" / "api.md").read_text(encoding="utf-8")
    shown = re.findall(r"\$API(/[\w/.-]*)", page)
    shown += re.findall(r"`(?:GET|POST|PATCH|DELETE) (?:/api/v1)?(/[\w/<>{}.-]*)", page)
    with app.app_context():
        described = [
            re.compile(re.sub(r"\{\w+\}", "[^/]+", path) + "$")
            for path in openapi_document(app)["paths"]
        ]
    assert shown
    missing = [
        path
        for path in shown
        if not any(pattern.match("/api/v1" + path.rstrip("/")) for pattern in described)
    ]
    assert missing == []


def table_keys(page: str, heading: str) -> list[str]:
    """The backticked names in the first column of the table under `heading`."""
    section = page.split(f"\n{heading}\n", 1)[1].split("\n#", 1)[0]
    cells = re.findall(r"^\| ([^|]+) \|", section, re.MULTILINE)
    return [name for cell in cells for name in re.findall(r"`([A-Z_a-z-]+)[^`]*`", cell)]


def test_every_configuration_key_the_docs_list_is_one_the_app_reads(app: Flask):
    tables = [
        ("README.md", "## Configuration reference"),
        ("docs/alerts.md", "## Settings"),
        ("docs/web-platform.md", "## Configuration keys (HOTLINE_<KEY> or instance/config.py)"),
    ]
    keys = [
        key
        for name, heading in tables
        for key in table_keys((ROOT / name).read_text(encoding="utf-8"), heading)
        if key.isupper()
    ]
    # A key has a default in the app's config, or the code reads it with one of its own.
    sources = "".join(path.read_text(encoding="utf-8") for path in ROOT.glob("hotline/**/*.py"))

    def read(key: str) -> bool:
        return key in app.config or f'config.get("{key}"' in sources

    assert "SECRET_KEY" in keys
    # Written in the table as the environment variable, HOTLINE_<KEY>.
    assert [key for key in keys if not read(key.removeprefix("HOTLINE_"))] == []


def test_the_simulator_page_lists_the_options_of_hotline_simulate(app: Flask):
    page = (ROOT / "docs" / "simulator.md").read_text(encoding="utf-8")
    listed = {option for option in table_keys(page, "## Options") if option.startswith("--")}
    options = {name for param in app.cli.commands["simulate"].params for name in param.opts}

    assert listed == options
