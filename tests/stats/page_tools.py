"""Reading the statistics pages in tests: figures by their data- attributes, rows, field errors."""

from __future__ import annotations

import csv
import html
import io
import json
import re
from typing import Any
from urllib.parse import urlencode

# The hand-built week of tests/stats/conftest.py, as the period form sends it.
MARCH = {"period": "custom", "start": "2026-03-23", "end": "2026-03-31"}


def url(path: str, **args: Any) -> str:
    return f"{path}?{urlencode(args)}" if args else path


def text_of(page: str, attribute: str, value: str) -> str:
    """The text of the element carrying attribute="value", tags inside dropped."""
    found = re.search(rf'<(\w+)[^>]* {attribute}="{re.escape(value)}"[^>]*>(.*?)</\1>', page, re.S)
    assert found, f"no element with {attribute}={value!r}"
    return " ".join(html.unescape(re.sub(r"<[^>]+>", "", found[2])).split())


def kpi(page: str, name: str) -> str:
    return text_of(page, "data-kpi", name)


def row_cells(page: str, attribute: str, value: object) -> dict[str, str]:
    """The data-col cells of the table row carrying attribute="value"."""
    found = re.search(rf'<tr {attribute}="{value}"[^>]*>(.*?)</tr>', page, re.S)
    assert found, f"no row with {attribute}={value!r}"
    return {
        col: " ".join(html.unescape(re.sub(r"<[^>]+>", "", cell)).split())
        for col, cell in re.findall(r'data-col="([^"]+)">(.*?)</td>', found[1], re.S)
    }


def h_mm(hours: float) -> str:
    """Hours as the pages show them: hours and minutes, to the nearest minute."""
    minutes = round(hours * 60)
    return f"{minutes // 60}:{minutes % 60:02d}"


def call_ids(page: str) -> list[int]:
    """The calls listed on a call list page, in order."""
    return [int(n) for n in re.findall(r'<tr data-call="(\d+)"', page)]


def field_errors(page: str, field: str) -> list[str]:
    """The error messages shown under a form field."""
    found = re.search(rf'<ul class="errors" id="{field}-errors">(.*?)</ul>', page, re.S)
    if not found:
        return []
    return [html.unescape(e).strip() for e in re.findall(r"<li>(.*?)</li>", found[1], re.S)]


def form_errors(page: str) -> list[str]:
    found = re.search(r'<ul class="errors form-errors"[^>]*>(.*?)</ul>', page, re.S)
    if not found:
        return []
    return [html.unescape(e).strip() for e in re.findall(r"<li>(.*?)</li>", found[1], re.S)]


def charts(page: str) -> dict[str, Any]:
    """The data the page hands its chart script."""
    found = re.search(r'<script type="application/json" id="stats-charts">(.*?)</script>', page)
    assert found, "no chart data on the page"
    return json.loads(found[1])


def csv_rows(body: str, delimiter: str) -> list[list[str]]:
    assert body.startswith("\ufeff"), "the CSV starts with a byte order mark for spreadsheets"
    return list(csv.reader(io.StringIO(body[1:]), delimiter=delimiter))
