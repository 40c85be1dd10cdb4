"""Read the TwiML documents the server answers into plain verb objects."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from xml.etree import ElementTree


class InvalidTwiML(ValueError):
    """The server answered something Twilio would reject (error 12100 / 11200)."""


@dataclass(frozen=True)
class Verb:
    """One TwiML element: its name, attributes, text and nested nouns."""

    name: str
    attrs: Mapping[str, str] = field(default_factory=dict)
    text: str = ""
    children: tuple[Verb, ...] = ()

    def attr(self, name: str, default: str = "") -> str:
        return self.attrs.get(name, default)

    def int_attr(self, name: str, default: int) -> int:
        raw = self.attrs.get(name)
        if raw is None or not raw.strip():
            return default
        try:
            return int(raw)
        except ValueError:
            raise InvalidTwiML(f"<{self.name} {name}={raw!r}> is not a whole number") from None


def read_twiml(body: str) -> tuple[Verb, ...]:
    """Parse a `<Response>` document into its verbs, in order."""
    try:
        # The documents come from the server under test, which the user points us at;
        # expat refuses entity expansion bombs on its own since 2.4.1.
        root = ElementTree.fromstring(body)  # noqa: S314
    except ElementTree.ParseError as exc:
        raise InvalidTwiML(f"not XML ({exc}): {body[:200]!r}") from None
    if root.tag != "Response":
        raise InvalidTwiML(f"the document root is <{root.tag}>, not <Response>")
    return tuple(_verb(element) for element in root)


def _verb(element: ElementTree.Element) -> Verb:
    return Verb(
        name=element.tag,
        attrs=dict(element.attrib),
        text=(element.text or "").strip(),
        children=tuple(_verb(child) for child in element),
    )
