"""What each API view accepts and answers, declared next to it for the OpenAPI description."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from pydantic import BaseModel

F = TypeVar("F", bound=Callable[..., Any])
ATTRIBUTE = "api_operation"


@dataclass(frozen=True)
class Operation:
    """One method on one path: its models and the statuses it may answer."""

    summary: str
    # What the summary cannot say, after the roles in the OpenAPI description.
    description: str = ""
    response: type[BaseModel] | None = None
    status: int = 200
    body: type[BaseModel] | None = None
    query: type[BaseModel] | None = None
    # Besides 401 and 403 (every route) and 400 (every route taking input).
    errors: tuple[int, ...] = ()
    # The model of its 422 body, when the refusal may say more than a Problem.
    refusal: type[BaseModel] | None = None
    tags: tuple[str, ...] = field(default_factory=tuple)
    content_type: str = "application/json"
    # For answers no model describes (this description itself, calendar files).
    content_schema: dict[str, Any] | None = None


def operation(summary: str, **details: Any) -> Callable[[F], F]:
    """Attach an Operation to a view; put it below the role decorator."""

    def describe(view: F) -> F:
        setattr(view, ATTRIBUTE, Operation(summary, **details))
        return view

    return describe


def operation_of(view: Callable[..., Any]) -> Operation | None:
    """The Operation declared on a view, through any decorators that wrapped it."""
    while view is not None:
        found = getattr(view, ATTRIBUTE, None)
        if found is not None:
            return found
        view = getattr(view, "__wrapped__", None)  # type: ignore[assignment]
    return None
