"""The charting library and the charts page's Content-Security-Policy, whatever Plotly
release is installed: the inline styles it adds are read from its file, or the pages
do without charts and say why."""

from __future__ import annotations

import base64
import hashlib
import logging

import pytest

from hotline import log_start_up_problems
from hotline.auth.web import CONTENT_SECURITY_POLICY
from hotline.ops.doctor import Level, check_charts, diagnose
from hotline.stats import charting
from hotline.stats.charting import ChartsUnavailable, inline_styles, plotly_bundle

from .page_tools import MARCH, url

# How a release might add a stylesheet as it loads, as MapLibre's is added today.
ADDS_A_SHEET = (
    'var X=W(()=>{{(function(){{if(!document.getElementById("9f21")){{'
    'var e=document.createElement("style");e.id="9f21",e.textContent={text},'
    "document.head.appendChild(e)}}}})()}});"
)


def sha256(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode() + "'"


def test_the_installed_plotly_is_drawn_under_a_policy_allowing_its_inline_styles():
    bundle = plotly_bundle()

    assert bundle is not None
    source = bundle.plain.decode()
    styles = inline_styles(source)
    # The empty sheet it fills with insertRule, MapLibre's, the colour bar's empty attribute.
    assert "" in styles.elements
    assert any(text.startswith(".maplibregl") for text in styles.elements)
    assert styles.attributes == ("",)
    assert bundle.policy.startswith(CONTENT_SECURITY_POLICY + "; style-src 'self' ")
    for text in styles.elements:
        assert sha256(text) in bundle.policy


@pytest.mark.parametrize(
    ("written", "text"),
    [
        ("'.a{b:c}'", ".a{b:c}"),
        ('".a{content:\\"\\u00e9\\"}\\n"', '.a{content:"é"}\n'),
        ("'.a{content:\\'\\x41\\'}'", ".a{content:'A'}"),
        ("`.a{b:c}`", ".a{b:c}"),
    ],
)
def test_a_sheet_plotly_adds_is_allowed_however_its_text_is_quoted(written, text):
    styles = inline_styles(ADDS_A_SHEET.format(text=written))

    assert styles.elements == (text,)


@pytest.mark.parametrize("written", ["css", "`.a{color:${c}}`", "'.a{'+c+'}'", "c?'.a{}':''"])
def test_a_sheet_built_as_plotly_runs_makes_the_charts_unavailable(written):
    with pytest.raises(ChartsUnavailable, match="text it builds as it runs"):
        inline_styles(ADDS_A_SHEET.format(text=written))


def test_literal_style_attributes_are_allowed_and_built_ones_left_out():
    source = 'a.attr("style","image-rendering: pixelated; ");b.setAttribute("style",s+"x")'

    assert inline_styles(source).attributes == ("", "image-rendering: pixelated; ")


@pytest.fixture
def plotly_unusable(monkeypatch):
    reason = ChartsUnavailable(
        "plotly 99.0: plotly.js fills a <style> element (at character 123) with text it "
        "builds as it runs, which the Content-Security-Policy cannot allow by hash"
    )
    monkeypatch.setattr(charting, "_load", lambda: reason)
    return str(reason)


def test_without_a_usable_plotly_the_dashboard_shows_its_tables_open(
    client, login_as, week, plotly_unusable
):
    login_as("supervisor", hotlines=(week.hotline,), language="en")

    response = client.get(url("/stats/", hotline=week.hotline.id, **MARCH))

    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert response.headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
    assert "plotly.min.js" not in page
    assert 'data-chart="trend"' not in page
    assert "<details open>\n    <summary>Figures per day</summary>" in page
    assert "<details open>\n    <summary>Figures per hour and weekday</summary>" in page
    assert client.get("/stats/assets/plotly.min.js").status_code == 404


def test_a_node_says_at_start_up_why_it_draws_no_charts(app, caplog, plotly_unusable):
    with caplog.at_level(logging.ERROR, logger="hotline.stats"):
        log_start_up_problems(app)

    assert [r.getMessage() for r in caplog.records if r.name == "hotline.stats"] == [
        f"statistics charts are off, the pages show tables instead: {plotly_unusable}"
    ]


def test_doctor_warns_when_the_charts_are_off(app, plotly_unusable):
    findings = diagnose(app, [check_charts])

    assert [(f.level, f.topic) for f in findings] == [(Level.WARNING, "charts")]
    assert findings[0].message.startswith(plotly_unusable)


def test_doctor_says_nothing_of_charts_that_work(app):
    assert diagnose(app, [check_charts]) == []
