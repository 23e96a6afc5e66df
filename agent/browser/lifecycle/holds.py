"""Choices that must hold: a choice in a dropdown counts once the page has kept it a while.

Pages refuse a choice by changing it back a moment later (a script that validates it, an
answer from the server). So a SELECT_OPTION is checked once at once and once more
:data:`STICK_SECONDS` later. Sleeping that long after every choice would cost a quarter
of a second per dropdown; instead the second check is a :class:`PendingChoice` in the run's
:class:`Holds`, and the time passes while the plan's next actions run:

- an action that cannot submit the form (typing, another choice, a checkbox, a hover, a
  scroll) runs at once (what it finds does not depend on how fast the machine is);
- any other action (a click on a button, a key press, a navigation) first waits until every
  pending choice is due and checks them all: a form is never submitted on a choice the page
  had already taken back;
- the last action of a plan, a failed one and one that changed the page confirm what is
  still pending before they return, so every choice is settled before the next observation.

A choice the page took back fails the action that finds it: its own when it is the last one
(the message is the choice's), otherwise the next action, which is then not run.

    holds.add(PendingChoice(element_id="5", check=still_there))
    refused = await holds.confirm()   # (element id, why) of the choices taken back
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from playwright.async_api import Error as PlaywrightError

STICK_SECONDS = 0.25
"""How long a choice must hold before it counts (pages revert choices after a tick)."""

Check = Callable[[], Awaitable["str | None"]]
"""Reads the control again: None when the choice is still there, else why it is not."""


@dataclass
class PendingChoice:
    """One choice made on the page, to be read again once it is due."""

    element_id: str
    """The element it was made in (a new choice there replaces this one)."""
    check: Check
    due: float = field(default_factory=lambda: asyncio.get_running_loop().time() + STICK_SECONDS)
    """Event-loop time from which the choice counts if it is still there."""


class Holds:
    """The run's pending choices (see the module's docstring)."""

    def __init__(self) -> None:
        self._pending: list[PendingChoice] = []

    def __bool__(self) -> bool:
        return bool(self._pending)

    def add(self, choice: PendingChoice) -> None:
        """Keep ``choice`` pending; it replaces a pending choice in the same element."""
        self.forget(choice.element_id)
        self._pending.append(choice)

    def forget(self, element_id: str | None) -> None:
        """Stop checking the choice in ``element_id`` (an action on it now makes a new one)."""
        self._pending = [p for p in self._pending if p.element_id != element_id]

    def drop(self) -> None:
        """Forget every pending choice (their page is gone: nothing is left to check)."""
        self._pending.clear()

    async def confirm(self) -> list[tuple[str, str]]:
        """Wait until every pending choice is due, then check them all (none stays pending).

        Returns ``(element id, why)`` for each one the page took back.
        """
        pending, self._pending = self._pending, []
        if not pending:
            return []
        loop = asyncio.get_running_loop()
        latest = max(p.due for p in pending)
        if latest > loop.time():
            await asyncio.sleep(latest - loop.time())
        refused: list[tuple[str, str]] = []
        for choice in pending:
            try:
                why = await choice.check()
            except PlaywrightError:  # the element or its page is gone: nothing to hold
                continue
            if why is not None:
                refused.append((choice.element_id, why))
        return refused


__all__ = ["STICK_SECONDS", "Holds", "PendingChoice"]
