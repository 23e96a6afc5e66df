"""Faults a fake provider can inject: what goes wrong between a client and a model server.

    server.inject(Fault.rate_limit(retry_after=1))     # one 429, then normal answers
    server.inject(Fault.server_error(times=None))      # every call from now on is a 500

Faults are used in the order injected; each applies to ``times`` calls (``None``: all
that follow). Only the model endpoints (chat, completions, generate) are affected.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any, Literal

FaultKind = Literal["status", "drop", "hang", "not_json", "wrong_keys", "prose"]


@dataclass
class Fault:
    """One way a call goes wrong. Build with the class methods; read ``kind`` in records."""

    kind: FaultKind
    status: int = 500
    """The HTTP status (``status`` faults)."""
    retry_after: float | None = None
    """Seconds sent as ``Retry-After`` (``status`` faults)."""
    answer: Any = None
    """The model's content (``wrong_keys``: a JSON value that misfits; ``prose``: text)."""
    seconds: float | None = None
    """How long a ``hang`` lasts (``None``: until the server stops)."""
    times: int | None = 1
    """How many calls this fault takes (``None``: every call from now on)."""

    @classmethod
    def rate_limit(cls, retry_after: float | None = 1.0, *, times: int | None = 1) -> Fault:
        """HTTP 429, with ``Retry-After: <retry_after>`` unless it is None."""
        return cls("status", status=429, retry_after=retry_after, times=times)

    @classmethod
    def server_error(cls, status: int = 500, *, times: int | None = 1) -> Fault:
        """A 5xx answer (500 by default; 502/503 for a proxy or an overloaded server)."""
        return cls("status", status=status, times=times)

    @classmethod
    def drop(cls, *, times: int | None = 1) -> Fault:
        """Read the request, then close the connection without a word."""
        return cls("drop", times=times)

    @classmethod
    def hang(cls, seconds: float | None = None, *, times: int | None = 1) -> Fault:
        """Accept the request and never answer (or only after ``seconds``)."""
        return cls("hang", seconds=seconds, times=times)

    @classmethod
    def not_json(cls, *, times: int | None = 1) -> Fault:
        """HTTP 200 with an HTML page instead of JSON (a captive portal, a broken proxy)."""
        return cls("not_json", times=times)

    @classmethod
    def wrong_keys(cls, answer: Any = None, *, times: int | None = 1) -> Fault:
        """A well-formed answer whose content is JSON with keys the purpose does not use."""
        return cls("wrong_keys", answer={"result": "ok"} if answer is None else answer, times=times)

    @classmethod
    def prose(cls, text: str = "I would click the button.", *, times: int | None = 1) -> Fault:
        """A well-formed answer whose content is prose, not JSON."""
        return cls("prose", answer=text, times=times)


@dataclass
class FaultQueue:
    """The faults waiting to be applied, taken one call at a time (thread-safe)."""

    pending: list[Fault] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def add(self, fault: Fault) -> None:
        with self._lock:
            self.pending.append(fault)

    def clear(self) -> None:
        with self._lock:
            self.pending.clear()

    def take(self) -> Fault | None:
        """The fault for the next call, if any (a counted fault is used up by it)."""
        with self._lock:
            if not self.pending:
                return None
            fault = self.pending[0]
            if fault.times is not None:
                fault.times -= 1
                if fault.times <= 0:
                    self.pending.pop(0)
            return fault
