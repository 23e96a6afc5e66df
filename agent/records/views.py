"""Conveniences of the records whose code lives in a higher layer, registered by that layer.

A record offers a few things it cannot do itself without importing upward:
``TaskRun.report()`` writes the HTML report (the UI's report module), ``TaskRun`` and
``Step`` draw themselves in a notebook (the UI's display module), ``Observation.render()``
turns a page into prompt text (its renderer), and the progress display picks a notebook
card. The record calls :func:`view` here; the owner registers the function with
:func:`register_view` when ``agent`` is imported (:mod:`agent.ui.hooks`), so the records
never import the UI. This module imports nothing of ``agent``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

_VIEWS: dict[str, Callable[..., Any]] = {}

VIEW_NAMES = ("report", "run_html", "step_html", "observation_text", "notebook_card")
"""The views a record may ask for."""


def register_view(name: str, function: Callable[..., Any]) -> None:
    """Make ``function`` the view ``name`` (one of :data:`VIEW_NAMES`); a later one replaces it."""
    if name not in VIEW_NAMES:
        raise ValueError(f"unknown view {name!r}; use one of {', '.join(VIEW_NAMES)}")
    _VIEWS[name] = function


def view(name: str) -> Callable[..., Any]:
    """The function registered as view ``name``.

    Raises ``LookupError`` when none is: ``import agent`` registers them all.
    """
    try:
        return _VIEWS[name]
    except KeyError:
        raise LookupError(
            f"no {name!r} view is registered; import agent (agent.ui.hooks.install) first"
        ) from None
