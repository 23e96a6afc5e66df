"""A clock that moves only when told: timestamps in tests are ordered without sleeping.

Stores take it as ``clock=`` (it stamps pushed 2FA codes)::

    clock = ManualClock()
    store = MemoryStore(clock=clock)
    store.add_totp_code("me@example.com", "111111")   # stamped clock.now
    later = clock.advance()                           # one second on
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone


class ManualClock:
    """Returns ``now`` (UTC, aware) until :meth:`advance` moves it."""

    def __init__(self, start: datetime | None = None) -> None:
        self.now = start or datetime.now(timezone.utc)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float = 1.0) -> datetime:
        """Move on by ``seconds``; returns the new time."""
        self.now += timedelta(seconds=seconds)
        return self.now
