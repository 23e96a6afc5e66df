"""The markers around a scroll box's items in the page text.

A box lists what it shows and, within the budget, some of what it hides; the text marks
only where its listed items pass between the hidden and the visible part ("… below the
visible part of [7]:"), never between an item and its own button, and counts what it
left out after its last item, with the SCROLL that reaches it.
"""

from __future__ import annotations

from agent.records.observation import Element, TextLine

Item = Element | TextLine

SIDE_WORDS = {"down": "below", "up": "above", "right": "to the right", "left": "to the left"}


class ScrollBoxes:
    """Per rendered scroll box: a heading over its listed hidden part, a count after it."""

    def __init__(self, items: list[Item], chosen: set[int]) -> None:
        self.shown = {
            item.id
            for i, item in enumerate(items)
            if i in chosen and isinstance(item, Element) and "scrollable" in item.attributes
        }
        self.hidden: dict[str, dict[str, int]] = {}
        self.part: dict[str, str | None] = {}  # box -> side of the part last listed (None: visible)
        self.last: dict[int, list[str]] = {}  # index of a box's last item -> box ids
        ends: dict[str, int] = {}
        for i, item in enumerate(items):
            if isinstance(item, Element) and item.id in self.shown:
                ends.setdefault(item.id, i)
                self.hidden[item.id] = dict(item.hidden_count or {})
            for box in (item.scroll_box, item.hidden_in):
                if box in self.shown:
                    ends[box] = i
        for box, i in ends.items():
            self.last.setdefault(i, []).append(box)

    def count_hidden(self, item: Item) -> bool:
        """Count an item left out because its box hides it; False when it is not such an item."""
        if item.hidden_in not in self.shown:
            return False
        side = item.hidden_side or "down"
        counts = self.hidden[item.hidden_in]
        counts[side] = counts.get(side, 0) + 1
        return True

    def before(self, item: Item) -> list[str]:
        """A marker where the listed items of a box pass between its hidden and visible parts."""
        box = item.hidden_in or item.scroll_box
        if box not in self.shown:
            return []
        side = (item.hidden_side or "down") if item.hidden_in == box else None
        previous = self.part.get(box)
        self.part[box] = side
        if side == previous:
            return []
        if side is None:
            return [f"… the visible part of [{box}]:"]
        return [f"… {SIDE_WORDS.get(side, 'below')} the visible part of [{box}]:"]

    def after(self, i: int) -> list[str]:
        lines = []
        for box in self.last.get(i, []):
            for side, n in self.hidden.get(box, {}).items():
                if n:
                    where = SIDE_WORDS.get(side, side)
                    lines.append(f"… {n} more items {where} inside [{box}]: SCROLL {box} {side}")
        return lines
