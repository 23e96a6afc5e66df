"""Ambient change: what a page changes on its own, learned from the page itself.

A ticking clock, a countdown, a rotating carousel or an "updated 3 s ago" line change the
document with no action behind them. ``ambient.js`` keeps one long-lived MutationObserver
per document that learns which elements change that way: the same element (its text, its
children or one attribute) changing in several separate ticks while no action runs (no
effect probe, no user input just before). Two readers use what it learned:

- the effect probe (``actions.js`` ``effectStart``/``effectRead``): mutations inside live
  content are not an action's effect, so a click on a dead button next to a clock still
  reports "no visible effect", while a panel opening on the same page still counts;
- the walker (``dom.js``): elements and text lines inside live content are marked
  (:attr:`agent.records.observation.Element.ambient`,
  :attr:`agent.records.observation.TextLine.steady`), and the loop guard
  (:func:`engines.loops.page_state`) leaves them out of its digest.

The script is installed as an init script (:func:`agent.browser.seeing.observe.track_click_listeners`)
and, idempotently, by the walker and the probe themselves (:func:`with_ambient` splices it
into their text), so a page opened before tracking learns from its first observation on.
Nothing waits for it: learning happens while the page runs.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

TOKEN = "__AGENT_AMBIENT__"
"""Where a page-side script wants the installer: ``const ambient = (__AGENT_AMBIENT__)();``."""


@cache
def ambient_js() -> str:
    """The installer, a function expression ``() => recorder`` (comments stripped)."""
    text = Path(__file__).with_name("ambient.js").read_text(encoding="utf-8")
    return "\n".join(line for line in text.splitlines() if not line.startswith("//")).strip()


@cache
def ambient_init_script() -> str:
    """The installer as an init script: it runs at document start in every frame."""
    return f"({ambient_js()})();"


def with_ambient(script: str) -> str:
    """``script`` with the installer spliced in where it names :data:`TOKEN`."""
    return script.replace(TOKEN, ambient_js())


__all__ = ["TOKEN", "ambient_init_script", "ambient_js", "with_ambient"]
