"""URL converters shared by every blueprint."""

from __future__ import annotations

from typing import Any

from werkzeug.routing import IntegerConverter, Map

# The largest id an INTEGER column holds on PostgreSQL (and SQLite's driver binds).
MAX_ID = 2**31 - 1


class IdConverter(IntegerConverter):
    """`<int:...>` bounded to what the database holds: a larger id is a 404, not a 500."""

    def __init__(self, url_map: Map, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max", MAX_ID)
        super().__init__(url_map, *args, **kwargs)
