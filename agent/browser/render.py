"""Rendering an :class:`~agent.browser.observation.Observation` into prompt text.

One element per line, text lines without ids, child frames indented under their iframe::

    URL: http://127.0.0.1:8000/login
    Title: Sign in
    # Sign in
    [3]<input type=email name=email value="">Email</input>
    [4]<input type=password name=password value="•••">Password</input>
    [5]<button>Sign in</button>
    … 12 more elements and 4 more text lines below (~2 screens down)

What fits: every element in the viewport (always), then the viewport's text, then what
lies within a margin above and below, nearest first, while the token budget lasts.
Everything else is counted in a summary line. Tokens are estimated from characters
(about 3 per token for this markup), so no tokenizer is needed at run time.
"""

from __future__ import annotations

import json
import math
import re
from typing import TYPE_CHECKING, Union

if TYPE_CHECKING:
    from agent.browser.observation import Element, Observation, TextLine

    Item = Union[Element, TextLine]

CHARS_PER_TOKEN = 3.0
MARGIN_SCREENS = 1.0  # how far beyond the viewport (in viewport heights) may be rendered
MAX_TEXT = 300  # characters of one text line before the budget squeezes further
MAX_OPTIONS = 12
_BARE = re.compile(r"^[\w\-.:/@+,%?=&#~]+$")
_ATTR_ORDER = ("type", "name", "role", "placeholder", "value", "href")
_HEADINGS = {"h1": "# ", "h2": "## ", "h3": "### ", "h4": "#### ", "h5": "##### ", "h6": "###### "}


def estimate_tokens(text: str) -> int:
    """A cheap, slightly pessimistic token count for rendered observation text."""
    return math.ceil(len(text) / CHARS_PER_TOKEN)


def _quote(value: str) -> str:
    return value if value and _BARE.match(value) else json.dumps(value, ensure_ascii=False)


def _attrs(element: Element, page_url: str) -> str:
    from agent.browser.observation import shorten_url

    attrs = dict(element.attributes)
    if element.role and element.role != element.tag:
        attrs["role"] = element.role
    keys = [k for k in _ATTR_ORDER if k in attrs] + sorted(k for k in attrs if k not in _ATTR_ORDER)
    parts = []
    for key in keys:
        value = attrs[key]
        if key == "href":
            value = shorten_url(value, page_url)
        if value == "true" and key != "value":
            parts.append(key)
        else:
            parts.append(f"{key}={_quote(value)}")
    return (" " + " ".join(parts)) if parts else ""


def _options(element: Element, shown_ids: set[str]) -> str:
    options = element.options or []
    if not options or any(o.get("id") in shown_ids for o in options):
        return ""
    labels = [str(o.get("label", "")) for o in options[:MAX_OPTIONS]]
    more = len(options) - len(labels)
    tail = f" | …+{more} more" if more > 0 else ""
    return " options: " + " | ".join(json.dumps(x, ensure_ascii=False) for x in labels) + tail


def element_line(element: Element, page_url: str, shown_ids: set[str], text_cap: int) -> str:
    """One element as ``[id]<tag attrs>text</tag>``."""
    text = element.text
    if len(text) > text_cap:
        text = text[: text_cap - 1] + "…"
    body = text + _options(element, shown_ids)
    head = f"[{element.id}]<{element.tag}{_attrs(element, page_url)}>"
    return head + (f"{body}</{element.tag}>" if body else "")


def text_line(line: TextLine, text_cap: int) -> str:
    """One text line; headings get Markdown hashes, alerts a marker."""
    text = line.text if len(line.text) <= text_cap else line.text[: text_cap - 1] + "…"
    if line.tag == "iframe":
        return f"<iframe {json.dumps(text, ensure_ascii=False)}>" if text else "<iframe>"
    if line.tag in ("alert", "status"):
        return f"({line.tag}) {text}"
    return _HEADINGS.get(line.tag, "") + text


def _is_element(item: Item) -> bool:
    return hasattr(item, "id")


def _distance(item: Item, obs: Observation) -> float:
    """Pixels between the item and the viewport (0 inside it)."""
    if item.in_viewport or item.box is None:
        return 0.0 if item.in_viewport else math.inf
    top, bottom = item.box.y, item.box.y + item.box.height
    if bottom <= 0:
        return -bottom
    if top >= obs.viewport.height:
        return top - obs.viewport.height
    return 0.0  # beside the viewport horizontally, or hidden in a scrolled container


def _side(item: Item) -> str:
    return "above" if item.box is not None and item.box.y + item.box.height <= 0 else "below"


def _depths(obs: Observation) -> dict[str, int]:
    depths: dict[str, int] = {"": 0}
    for key in obs.frames:
        depth, cur = 0, key
        while cur and depth < 20:
            cur = obs.frames[cur].parent if cur in obs.frames else ""
            depth += 1
        depths[key] = depth
    return depths


def render_observation(obs: Observation, token_budget: int) -> str:
    """Render ``obs`` within ``token_budget`` tokens (see the module docstring)."""
    items: list[Item] = sorted([*obs.elements, *obs.texts], key=lambda i: i.order)
    vp = obs.viewport
    header = [f"URL: {obs.url}", f"Title: {obs.title}"]
    if vp.page_height > vp.height + 4:
        header.append(
            f"Scroll: y={vp.scroll_y} of {vp.page_height - vp.height} (viewport {vp.width}x{vp.height})"
        )
    margin = MARGIN_SCREENS * vp.height
    depths = _depths(obs)
    shown_ids = {e.id for e in obs.elements}
    budget = token_budget - estimate_tokens("\n".join(header)) - 40  # 40: summary lines

    def cost(item: Item, cap: int) -> int:
        indent = "  " * depths.get(item.frame, 0)
        if _is_element(item):
            return estimate_tokens(indent + element_line(item, obs.url, shown_ids, cap)) + 1  # type: ignore[arg-type]
        return estimate_tokens(indent + text_line(item, cap)) + 1  # type: ignore[arg-type]

    chosen: set[int] = set()
    must = [i for i, it in enumerate(items) if it.in_viewport and _is_element(it)]
    text_cap = MAX_TEXT
    elem_cap = 120
    used = sum(cost(items[i], elem_cap) for i in must)
    if used > budget:  # a crowded viewport: shorten names before dropping anything
        elem_cap = 60
        used = sum(cost(items[i], elem_cap) for i in must)
    chosen.update(must)
    seen_text = [i for i, it in enumerate(items) if it.in_viewport and not _is_element(it)]
    view_text_cost = sum(cost(items[i], text_cap) for i in seen_text)
    if used + view_text_cost > budget:
        text_cap = 100
    near = sorted(
        (i for i, it in enumerate(items) if i not in chosen and _distance(it, obs) <= margin),
        key=lambda i: (_distance(items[i], obs), 0 if items[i].in_viewport else 1, i),
    )
    for i in near:
        c = cost(items[i], text_cap if not _is_element(items[i]) else elem_cap)
        if used + c > budget:
            if items[i].in_viewport:
                continue  # a long viewport text line: a shorter one may still fit
            break
        used += c
        chosen.add(i)

    lines = list(header)
    above = {"elements": 0, "text lines": 0}
    below = {"elements": 0, "text lines": 0}
    skipped_here = False
    far_below = 0.0
    for i, item in enumerate(items):
        kind = "elements" if _is_element(item) else "text lines"
        if i not in chosen:
            if item.in_viewport:
                skipped_here = True
            elif _side(item) == "above":
                above[kind] += 1
            else:
                below[kind] += 1
                far_below = max(far_below, _distance(item, obs))
            continue
        if skipped_here:
            lines.append("…")
            skipped_here = False
        indent = "  " * depths.get(item.frame, 0)
        if _is_element(item):
            lines.append(indent + element_line(item, obs.url, shown_ids, elem_cap))  # type: ignore[arg-type]
        else:
            lines.append(indent + text_line(item, text_cap))  # type: ignore[arg-type]
    if sum(above.values()):
        lines.insert(len(header), _summary(above, "above", "scroll up to see them"))
    if skipped_here:
        lines.append("…")
    if sum(below.values()):
        screens = max(1, math.ceil(far_below / max(vp.height, 1)))
        lines.append(_summary(below, "below", f"~{screens} screens down"))
    if not items:
        lines.append("(the page shows no text or interactive elements)")
    return "\n".join(lines)


def _summary(counts: dict[str, int], where: str, hint: str) -> str:
    parts = [f"{n} more {kind}" for kind, n in counts.items() if n]
    return f"… {' and '.join(parts)} {where} ({hint})"
