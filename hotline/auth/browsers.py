"""A browser and its system in words, from a User-Agent header ("Firefox 133 on Windows").

Enough to tell one's own signed-in browsers apart on the account page, not a
full parser: the few browsers and systems people use, by the marks each one
puts in its header. The order matters: Edge and Opera also say "Chrome", and
every browser on an iPhone says "Safari".
"""

from __future__ import annotations

import re

from flask_babel import gettext as _

# (name, pattern whose group 1 is the version), first match wins.
BROWSERS = (
    ("Edge", r"\bEdg(?:e|A|iOS)?/(\d+)"),
    ("Opera", r"\b(?:OPR|OPiOS)/(\d+)"),
    ("Samsung Internet", r"\bSamsungBrowser/(\d+)"),
    ("Firefox", r"\b(?:Firefox|FxiOS)/(\d+)"),
    ("Chrome", r"\b(?:Chrome|CriOS)/(\d+)"),
    ("Safari", r"\bVersion/(\d+)[.\d]*(?: Mobile/\w+)? Safari/"),
    ("curl", r"^curl/(\d+)"),
)
SYSTEMS = (
    ("Android", r"\bAndroid\b"),
    ("iPadOS", r"\biPad\b"),
    ("iOS", r"\b(?:iPhone|iPod)\b"),
    ("ChromeOS", r"\bCrOS\b"),
    ("Windows", r"\bWindows\b"),
    ("macOS", r"\bMac OS X\b|\bMacintosh\b"),
    ("Linux", r"\bLinux\b|\bX11\b"),
)


def browser_name(user_agent: str | None) -> str | None:
    """The browser and its major version ("Firefox 133"), if known."""
    for name, pattern in BROWSERS:
        if match := re.search(pattern, user_agent or ""):
            return f"{name} {match.group(1)}"
    return None


def system_name(user_agent: str | None) -> str | None:
    """The operating system ("Windows", "iOS"), if known."""
    for name, pattern in SYSTEMS:
        if re.search(pattern, user_agent or ""):
            return name
    return None


def describe_browser(user_agent: str | None) -> str:
    """The browser and its system in the page's language: "Firefox 133 on Windows"."""
    browser, system = browser_name(user_agent), system_name(user_agent)
    if browser and system:
        return _("%(browser)s on %(system)s", browser=browser, system=system)
    if system:
        return _("Unknown browser on %(system)s", system=system)
    return browser or _("Unknown browser")
