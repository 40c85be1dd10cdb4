"""deploy/nginx/hotline.conf sends what the node trusts, and scrapes only its own node.

nginx itself is not run here; the node's side of these headers is checked in
tests/voice/test_trust.py.
"""

from __future__ import annotations

import re
from pathlib import Path

CONF = (Path(__file__).resolve().parents[2] / "deploy/nginx/hotline.conf").read_text()


def blocks(kind: str) -> dict[str, str]:
    """The `upstream NAME {...}` or `location ... {...}` blocks, by name (no nesting)."""
    return {
        m["name"].strip(): m["body"]
        for m in re.finditer(rf"^\s*{kind}\s+(?P<name>[^{{]+)\{{(?P<body>[^}}]*)\}}", CONF, re.M)
    }


def test_every_proxied_location_sets_each_forwarded_header_the_node_trusts():
    # ProxyFix trusts X-Forwarded-For, -Proto, -Host and -Port from one proxy: a header
    # nginx does not set is the client's own.
    for name, body in blocks("location").items():
        for header in ("X-Forwarded-Proto", "X-Forwarded-Host", "X-Forwarded-Port"):
            assert f"proxy_set_header {header}" in body, f"{name} leaves {header} to the client"


def test_metrics_are_scraped_from_this_node_only():
    upstream = re.search(r"proxy_pass http://(\w+);", blocks("location")["= /metrics"])

    assert upstream is not None
    assert "backup" not in blocks("upstream")[upstream[1]]
    assert "127.0.0.1:8000" in blocks("upstream")[upstream[1]]
