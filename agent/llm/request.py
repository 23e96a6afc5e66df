"""What one model call carries (:class:`LLMRequest`), and which call is being served now.

:mod:`agent.llm.call` builds the request and marks it as the one being served while litellm
runs; the doubles' provider (:mod:`agent.llm.doubles`) reads it back with
:func:`current_request`, so a double receives the request, not only the messages. Both
import this module; neither imports the other's side.
"""

from __future__ import annotations

import contextvars
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from agent.records.observation import Observation


@dataclass
class LLMRequest:
    """What a model call carries; test doubles receive exactly this."""

    purpose: str
    """Why the call is made: ``plan``, ``verify``, ``extract``, ... (see :mod:`agent.llm.call`)."""
    messages: list[dict[str, Any]]
    """The chat messages as sent to litellm."""
    prompt: str
    """The user's goal for the run (or the block's mini-goal in skyvern-2.0)."""
    observation: Observation | None = None
    """The structured page the prompt was rendered from, for page purposes."""
    context: dict[str, Any] = field(default_factory=dict)
    """Extra facts a double may use: schema, history, step number, block, ..."""
    element_ids: frozenset[str] | None = None
    """Ids on the page the prompt shows; an action answer naming another id is a misfit."""


_current_request: contextvars.ContextVar[LLMRequest | None] = contextvars.ContextVar(
    "agent_llm_request", default=None
)


def current_request() -> LLMRequest | None:
    """The request being served (used by the test provider inside litellm)."""
    return _current_request.get()


@contextmanager
def serving(request: LLMRequest) -> Iterator[LLMRequest]:
    """Mark ``request`` as the one being served for the duration of the block."""
    token = _current_request.set(request)
    try:
        yield request
    finally:
        _current_request.reset(token)
