"""Telling a loop from an intentional repeat: the same action, step after step, to no effect.

A model that clicks a spinner's "down" button four times in one plan, presses ArrowRight
on a slider in three steps, or types into a terminal one key per step repeats itself on
purpose, and each repeat changes what the page shows. A loop is the same action planned
again on a page that still shows the same thing: its earlier tries had no effect.

So repeats are judged across steps and by their effect. A step's page state is a digest of
everything the prompt could show (the URL, every element's tag, name and attributes such
as its value, every text line, the scroll position; not the element ids, which a page that
re-renders hands out anew, nor what the page changes on its own, a ticking clock or a turning
carousel, which would make every step look new). An action counts once per step, on the state its step started
from; the same action several times in one plan is never a loop. When the same action
was done on the same state in :data:`LOOP_WARN_AT` steps, the next prompt says so; one
more and the run ends ("Stuck in a loop: ...").

    guard = LoopGuard()
    guard.start_step(observation)
    stuck = guard.stuck(action, described)   # before running it: the run ends if not None
    warning = guard.done(action, described)  # after it succeeded: a line for the next prompt
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from agent.records.observation import Observation

LOOP_WARN_AT = 2
"""The same action on the same page state in this many steps gets a warning in the prompt..."""
LOOP_FAIL_AT = 3
"""...and in this many steps ends the run."""


def page_state(observation: Observation) -> str:
    """A short digest of what the page shows: any element's value or text changing changes it.

    What the page changes on its own (a clock, a carousel: ``Element.ambient`` and
    ``TextLine.steady``, learned by :mod:`agent.browser.seeing.ambient`) is left out.
    """
    digest = hashlib.sha1(observation.url.encode())
    view = observation.viewport
    digest.update(f"|{view.scroll_x},{view.scroll_y}".encode())
    for element in observation.elements:
        if element.ambient:  # a clock, a carousel: it changes with no action
            continue
        attributes = sorted(element.attributes.items())
        shown = (element.tag, element.role, element.text, attributes, element.interactable)
        digest.update(repr(shown).encode())
    for line in observation.texts:
        text = line.text if line.steady is None else line.steady
        if text.strip("~ ") == "":  # nothing but what changes on its own
            continue
        digest.update(f"\n{line.tag}:{text}".encode())
    return digest.hexdigest()[:16]


def action_key(action: Any) -> str:
    """The action as the loop guard compares it: every field but the model's reasoning."""
    return json.dumps(action.model_dump(exclude={"reasoning"}), sort_keys=True, default=str)


@dataclass
class LoopGuard:
    """Counts, per page state and action, the steps that did that action on that state."""

    counts: dict[str, int] = field(default_factory=dict)
    state: str = ""
    """The page state the current step started from."""
    counted: set[str] = field(default_factory=set)
    """Keys already counted in the current step (a repeat inside one plan counts once)."""

    def start_step(self, observation: Observation) -> None:
        """A new step begins on ``observation``."""
        self.state = page_state(observation)
        self.counted = set()

    def _key(self, action: Any) -> str:
        return self.state + action_key(action)

    def stuck(self, action: Any, described: str) -> str | None:
        """The run's failure reason when ``action`` would be one try too many, else None."""
        key = self._key(action)
        if key in self.counted:  # again in the same plan: intended
            return None
        earlier = self.counts.get(key, 0)
        if earlier < LOOP_FAIL_AT - 1:
            return None
        return (
            f"Stuck in a loop: {described} was planned in {earlier + 1} steps on a page that "
            "showed the same thing each time (no element's value or text changed in between)."
        )

    def done(self, action: Any, described: str) -> str | None:
        """Count a successful ``action``; a warning for the next prompt when it repeats."""
        key = self._key(action)
        if key in self.counted:
            return None
        self.counted.add(key)
        self.counts[key] = self.counts.get(key, 0) + 1
        if self.counts[key] < LOOP_WARN_AT:
            return None
        return (
            f"{described} was already done on this same page and changed nothing "
            "(the page shows the same as before); do something different."
        )


__all__ = ["LOOP_FAIL_AT", "LOOP_WARN_AT", "LoopGuard", "action_key", "page_state"]


def target_key(action: Any, observation: Any) -> str:
    """The action and its element by what they are (not the element's id), on this URL.

    An element keeps its tag, text and name when the page is opened again in a fresh
    tab, while its id may change.
    """
    element = observation.element(action.id) if action.id else None
    identity = None
    if element is not None:
        names = {k: element.attributes.get(k) for k in ("id", "name", "href", "type")}
        identity = (element.frame, element.tag, element.role, element.text[:200], names)
    fields = action.model_dump(mode="json", exclude={"reasoning", "id"})
    return json.dumps([observation.url, fields, identity], sort_keys=True, default=str)
