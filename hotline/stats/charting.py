"""The charting library: plotly.min.js as the installed plotly package ships it, and what
the charts page's Content-Security-Policy must allow for it.

Plotly draws with CSSOM calls (element.style, insertRule), which the policy does not
check, but it also adds a few inline styles the policy does check: <style> elements
(an empty one it then fills with insertRule; MapLibre's stylesheet, added on load) and
literal style="..." attributes (empty on the colour bar's rectangles). Their texts are
read from the installed file when the process starts and allowed by hash, so a Plotly
upgrade needs no change here. A <style> whose text cannot be read from the file (built
at run time, say) cannot be allowed by hash: the charts are then not drawn at all, the
pages show their figures as tables, and the reason is logged at start-up and told by
`hotline doctor`.

The charts themselves avoid the inline styles that depend on how they are drawn: a
heatmap drawn as one scaled image gets style="image-rendering: ..." unless its cells
have gaps (stats.js gives them one pixel).
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import importlib.util
import logging
import re
from dataclasses import dataclass
from functools import cache
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from hotline.auth.web import CONTENT_SECURITY_POLICY

log = logging.getLogger("hotline.stats")

_NEW_STYLE = re.compile(r"""createElement\(\s*(["'`])style\1\s*\)""")
# What puts text in an element: the text (a JS string literal) follows.
_TEXT_SETTERS = re.compile(r"\.(?:textContent|innerText|innerHTML)\s*=|createTextNode\(")
# Where the <style> element joins the page, which ends the code that fills it.
_INSERTION = re.compile(r"document\.(?:head|body|documentElement)\.(?:appendChild|append)\(")
_STYLE_ATTRIBUTE = re.compile(r"""(?:\.attr|setAttribute)\(\s*(["'])style\1\s*,\s*""")
_ESCAPE = re.compile(r"\\(u\{[0-9a-fA-F]+\}|u[0-9a-fA-F]{4}|x[0-9a-fA-F]{2}|\r\n|[\s\S])")
_MORE_EXPRESSION = re.compile(r"\s*[-+*/%.\[?&|<>]")
_SIMPLE_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "b": "\b", "f": "\f", "v": "\v", "0": "\0"}
# Past this, the code after createElement("style") is not the code that fills it.
_FILLING_REACH = 1_000_000


class ChartsUnavailable(Exception):
    """The charting library cannot be served under the page's policy; the message says why."""


@dataclass(frozen=True)
class InlineStyles:
    """Texts of the inline styles plotly.js adds, which the policy allows by hash."""

    elements: tuple[str, ...]  # contents of the <style> elements
    attributes: tuple[str, ...]  # values of the style="..." attributes


@dataclass(frozen=True)
class PlotlyBundle:
    version: str
    plain: bytes
    gzipped: bytes
    policy: str  # the Content-Security-Policy of a page that draws with it

    @property
    def etag(self) -> str:
        return f"plotly-{self.version}"


def inline_styles(source: str) -> InlineStyles:
    """The inline styles this plotly.js adds; ChartsUnavailable for a <style> whose text
    it builds at run time (no hash can allow that)."""
    elements = [_style_text(source, found.end()) for found in _NEW_STYLE.finditer(source)]
    # An attribute set from a variable belongs to features these charts do not use
    # (image traces, a test for old browsers): only the literal values are needed.
    attributes = [""]
    for found in _STYLE_ATTRIBUTE.finditer(source):
        literal = _string_literal(source, found.end())
        if literal is not None:
            attributes.append(literal[0])
    return InlineStyles(tuple(dict.fromkeys(elements)), tuple(dict.fromkeys(attributes)))


def _style_text(source: str, start: int) -> str:
    """The text plotly.js puts in the <style> element it creates at `start`."""
    inserted = _INSERTION.search(source, start, start + _FILLING_REACH)
    if inserted is None:
        raise ChartsUnavailable(
            f"plotly.js creates a <style> element (at character {start}) and this app "
            "cannot tell where it fills it"
        )
    text = []
    for setter in _TEXT_SETTERS.finditer(source, start, inserted.start()):
        literal = _string_literal(source, setter.end())
        if literal is None:
            raise ChartsUnavailable(
                f"plotly.js fills a <style> element (at character {setter.start()}) with "
                "text it builds as it runs, which the Content-Security-Policy cannot allow "
                "by hash"
            )
        text.append(literal[0])
    return "".join(text)


def _string_literal(source: str, start: int) -> tuple[str, int] | None:
    """The JS string literal at `start` (quotes, or backquotes without ${}), decoded, and
    where it ends; None when an expression starts there."""
    quote = source[start : start + 1]
    if quote not in ("'", '"', "`"):
        return None
    end = start + 1
    while end < len(source) and source[end] != quote:
        end += 2 if source[end] == "\\" else 1
    raw = source[start + 1 : end]
    if end >= len(source) or (quote == "`" and "${" in raw):
        return None
    if _MORE_EXPRESSION.match(source, end + 1):
        return None  # '...'+x, '...'.concat(x), '...'[i]: not the literal's text
    return _ESCAPE.sub(_unescape, raw), end + 1


def _unescape(escape: re.Match[str]) -> str:
    code = escape[1]
    if code[0] in "ux" and len(code) > 1:
        return chr(int(code[1:].strip("{}"), 16))
    if code in ("\n", "\r\n", "\u2028", "\u2029"):
        return ""  # a line continuation
    return _SIMPLE_ESCAPES.get(code, code)


def _hashes(texts: tuple[str, ...]) -> str:
    digests = (base64.b64encode(hashlib.sha256(t.encode()).digest()).decode() for t in texts)
    return " ".join(f"'sha256-{d}'" for d in dict.fromkeys(digests))


def plotly_version() -> str:
    try:
        return version("plotly")
    except PackageNotFoundError:
        return "missing"


@cache
def _load() -> PlotlyBundle | ChartsUnavailable:
    """Read, check and compress plotly.min.js, once per process."""
    # find_spec locates the package without importing it (its Python side is heavy).
    spec = importlib.util.find_spec("plotly")
    if spec is None or not spec.submodule_search_locations:
        return ChartsUnavailable("the plotly package is not installed")
    path = Path(next(iter(spec.submodule_search_locations))) / "package_data" / "plotly.min.js"
    if not path.is_file():
        return ChartsUnavailable(f"the plotly package {plotly_version()} has no plotly.min.js")
    plain = path.read_bytes()
    try:
        policy = charts_policy(inline_styles(plain.decode()))
    except ChartsUnavailable as error:
        return ChartsUnavailable(f"plotly {plotly_version()}: {error}")
    return PlotlyBundle(plotly_version(), plain, gzip.compress(plain, 6, mtime=0), policy)


def plotly_bundle() -> PlotlyBundle | None:
    """The charting library, or None when the pages must do without it (see charts_problem)."""
    loaded = _load()
    return loaded if isinstance(loaded, PlotlyBundle) else None


def charts_problem() -> str | None:
    """Why the statistics pages show no charts, if they do not."""
    loaded = _load()
    return str(loaded) if isinstance(loaded, ChartsUnavailable) else None


def log_charts_problem() -> None:
    """Say at start-up, once, why the statistics pages will show tables instead of charts."""
    problem = charts_problem()
    if problem:
        log.error("statistics charts are off, the pages show tables instead: %s", problem)


def charts_policy(styles: InlineStyles) -> str:
    """The app's policy, plus Plotly's own inline styles, for the page that draws charts.

    Scripts stay 'self' only (Plotly needs no eval). 'unsafe-hashes' lets the hashes
    match style attributes too, not just elements.
    """
    return (
        f"{CONTENT_SECURITY_POLICY}; style-src 'self' {_hashes(styles.elements)}; "
        f"style-src-attr 'unsafe-hashes' {_hashes(styles.attributes)}"
    )


def charts_csp() -> str:
    """The policy of the page that draws charts (the app's own when it cannot)."""
    bundle = plotly_bundle()
    return bundle.policy if bundle is not None else CONTENT_SECURITY_POLICY
