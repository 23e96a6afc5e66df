"""Finding an element again: locators recorded from an element, matched on a new page.

A *locator* is a readable dict made from the element snapshot a step recorded (the
``"element"`` of a step action) and, when the page was at hand, a few live details::

    {"tag": "input", "role": "textbox", "name": "Full name", "label": "Full name",
     "attributes": {"name": "name", "id": "name", "type": "text"},
     "css": "form > input:nth-of-type(2)", "frame": ""}

:func:`find` matches a list of locators (variants of one element, newest first) against
an :class:`~agent.records.observation.Observation`. Each recorded feature is a
*strategy*; the identifying ones (data-testid, id, name, aria-label, placeholder, href,
accessible name, label text) each pick a set of elements:

* one or more strategies pick exactly one element and all of them pick the same one:
  that is the match;
* they pick different elements: no match (the page changed under the recording);
* none picks exactly one: the sets are intersected, and the positional hints (type,
  class, CSS path) may break a tie, never decide alone.

A CSS path is only a tie-breaker because reordered fields make it point elsewhere. The
result says which strategies matched, or why nothing did, in words a prompt can use::

    match = await find(page, observation, workflow_action["locators"])
    if match.element is not None:
        await act(page, {"action_type": "CLICK", "id": match.element.id}, observation)
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

if TYPE_CHECKING:
    from playwright.async_api import Locator, Page

    from agent.records.observation import Element, Observation

STRONG_ATTRIBUTES = ("data-testid", "id", "name", "aria-label", "placeholder", "title", "alt")
"""Attributes that identify an element (``href`` is compared by path, see :func:`find`)."""
WEAK_ATTRIBUTES = ("type", "class")
"""Attributes that only narrow a choice between candidates."""
DOM_STRATEGIES = ("data-testid", "id", "css")
"""Strategies answered by querying the live DOM (the observation does not carry them)."""
MAX_VARIANTS = 3
"""How many locator variants a workflow keeps per action (newest first)."""

_IMPLICIT_INPUT_ROLES = {
    "checkbox": "checkbox",
    "radio": "radio",
    "submit": "button",
    "button": "button",
    "reset": "button",
    "image": "button",
    "range": "slider",
    "number": "spinbutton",
    "search": "searchbox",
    "file": "button",
}
_ROLE_WORDS = {
    "textbox": "field",
    "searchbox": "search field",
    "spinbutton": "field",
    "combobox": "dropdown",
    "listbox": "list",
    "checkbox": "checkbox",
    "radio": "option",
    "link": "link",
    "button": "button",
    "option": "option",
    "menuitem": "menu item",
    "tab": "tab",
}
_QUERY_JS = """(queries) => Object.fromEntries(Object.entries(queries).map(([key, selector]) => {
  try {
    return [key, Array.from(document.querySelectorAll(selector))
      .map((el) => el.getAttribute("data-agent-id")).filter(Boolean)];
  } catch (error) { return [key, []]; }
}))"""
_LIVE_JS = """(el) => {
  const esc = (s) => (window.CSS && CSS.escape ? CSS.escape(s) : s);
  let css = null;
  if (el.getRootNode() === document) {
    const parts = [];
    let node = el;
    while (node && node.nodeType === 1 && node !== document.documentElement) {
      if (node.id && document.querySelectorAll("#" + esc(node.id)).length === 1) {
        parts.unshift("#" + esc(node.id));
        break;
      }
      let part = node.localName;
      const parent = node.parentElement;
      if (parent) {
        const same = Array.from(parent.children).filter((c) => c.localName === node.localName);
        if (same.length > 1) part += ":nth-of-type(" + (same.indexOf(node) + 1) + ")";
      }
      parts.unshift(part);
      node = parent;
    }
    css = parts.join(" > ");
  }
  const labels = el.labels ? Array.from(el.labels).map((l) => (l.innerText || "").trim())
    .filter(Boolean).join(" ") : "";
  return { id: el.id || null, css, label: labels || null,
           testid: el.getAttribute("data-testid") || el.getAttribute("data-test-id") || null };
}"""


@dataclass
class Match:
    """What :func:`find` found: one element, or why there is none."""

    element: Element | None = None
    """The element, when exactly one fits."""
    matched_by: list[str] = field(default_factory=list)
    """The strategies that picked it (``name``, ``attr:name``, ``css``...)."""
    variant: int = 0
    """Which locator variant matched (0 = the newest)."""
    problem: str = ""
    """Why nothing matched, in words for a prompt or a failure reason."""


def implicit_role(tag: str, attributes: dict[str, str]) -> str | None:
    """The ARIA role a tag has without an explicit ``role`` attribute (the common cases)."""
    if tag == "input":
        return _IMPLICIT_INPUT_ROLES.get(attributes.get("type", ""), "textbox")
    if tag == "select":
        return "listbox" if attributes.get("multiple") else "combobox"
    return {
        "textarea": "textbox",
        "button": "button",
        "summary": "button",
        "a": "link" if "href" in attributes else None,
    }.get(tag)


def role_of(element: Element) -> str | None:
    """The explicit role of an observed element, else its implicit one."""
    return element.role or implicit_role(element.tag, element.attributes)


def locator_from_snapshot(
    snapshot: dict[str, Any], live: dict[str, Any] | None = None
) -> dict[str, Any]:
    """A locator from a step action's ``"element"`` snapshot, plus optional live details.

    ``live`` is what :func:`live_details` read from the page (id, data-testid, CSS path,
    label text); a snapshot that already carries ``css`` or those attributes keeps them.
    """
    attributes = dict(snapshot.get("attributes") or {})
    tag = str(snapshot.get("tag") or "")
    kept = {
        k: attributes[k]
        for k in (*STRONG_ATTRIBUTES, *WEAK_ATTRIBUTES, "href")
        if attributes.get(k)
    }
    locator: dict[str, Any] = {
        "tag": tag,
        "role": snapshot.get("role") or implicit_role(tag, attributes),
        "name": str(snapshot.get("text") or ""),
        "attributes": kept,
        "frame": str(snapshot.get("frame") or ""),
    }
    if snapshot.get("css"):
        locator["css"] = snapshot["css"]
    if live:
        merge_live(locator, live)
    return locator


def merge_live(locator: dict[str, Any], live: dict[str, Any]) -> bool:
    """Add live details the locator lacks; returns whether anything was added."""
    changed = False
    attributes = locator.setdefault("attributes", {})
    for source, target in (("id", "id"), ("testid", "data-testid")):
        if live.get(source) and not attributes.get(target):
            attributes[target] = str(live[source])
            changed = True
    label = live.get("label")
    if label and _norm(str(label)) != _norm(locator.get("name", "")) and not locator.get("label"):
        locator["label"] = str(label)[:150]
        changed = True
    if live.get("css") and not locator.get("css"):
        locator["css"] = str(live["css"])
        changed = True
    return changed


async def live_details(element: Locator) -> dict[str, Any]:
    """Read id, data-testid, CSS path and label text of a live element ({} if it is gone)."""
    try:
        details = await element.evaluate(_LIVE_JS, timeout=2000)
    except Exception:  # a detached node or a closed frame: the details are a bonus
        return {}
    return details if isinstance(details, dict) else {}


def describe(locator: dict[str, Any]) -> str:
    """How a person would point at the element: ``the field "Full name"``."""
    attributes = locator.get("attributes") or {}
    word = _ROLE_WORDS.get(str(locator.get("role") or ""), f"<{locator.get('tag', '?')}>")
    name = (
        locator.get("name")
        or locator.get("label")
        or attributes.get("aria-label")
        or attributes.get("placeholder")
        or attributes.get("name")
        or ""
    )
    return f'the {word} "{name[:60]}"' if name else f"the {word} element"


async def find(page: Page, observation: Observation, variants: list[dict[str, Any]]) -> Match:
    """The one element of ``observation`` that the locator variants point to, if any."""
    first: Match | None = None
    for index, locator in enumerate(variants[:MAX_VARIANTS]):
        hits = await _dom_hits(page, locator)
        match = _match(observation, locator, hits)
        match.variant = index
        if match.element is not None:
            return match
        first = first or match
    return first or Match(problem="the workflow recorded no way to find this element")


async def _dom_hits(page: Page, locator: dict[str, Any]) -> dict[str, set[str]]:
    """Element ids found by id, data-testid and CSS path (main frame only)."""
    if locator.get("frame"):
        return {}
    attributes = locator.get("attributes") or {}
    queries: dict[str, str] = {}
    for key in ("id", "data-testid"):
        if attributes.get(key):
            queries[key] = f'[{key}="{_css_string(attributes[key])}"]'
    if locator.get("css"):
        queries["css"] = str(locator["css"])
    if not queries:
        return {}
    try:
        found = await page.main_frame.evaluate(_QUERY_JS, queries)
    except Exception:  # a navigation in progress: the observation strategies still answer
        return {}
    return {key: set(ids or []) for key, ids in dict(found).items()}


def _match(observation: Observation, locator: dict[str, Any], hits: dict[str, set[str]]) -> Match:
    pool = [e for e in observation.elements if e.interactable and _same_kind(e, locator)]
    ids = {e.id for e in pool}
    by_id = {e.id: e for e in pool}
    strong = _strong_sets(pool, locator, hits, ids)
    unique = {name: next(iter(found)) for name, found in strong.items() if len(found) == 1}
    if unique:
        chosen = set(unique.values())
        if len(chosen) == 1:
            return Match(element=by_id[chosen.pop()], matched_by=sorted(unique))
        detail = ", ".join(f"{name} -> [{found}]" for name, found in sorted(unique.items()))
        return Match(problem=f"the recorded locators point to different elements ({detail})")
    nonempty = [found for found in strong.values() if found]
    if strong and not nonempty:
        return Match(problem=f"no element matches {describe(locator)} ({_features(locator)})")
    candidates = set.intersection(*nonempty) if nonempty else set(ids) if not strong else set()
    if not candidates:
        return Match(problem=f"no single element fits all recorded features of {describe(locator)}")
    used = [name for name, found in strong.items() if found]
    for name, found in _weak_sets(pool, locator, hits).items():
        narrowed = candidates & found
        if narrowed:
            candidates, used = narrowed, [*used, name]
        if len(candidates) == 1:
            break
    if len(candidates) == 1 and used:
        return Match(element=by_id[candidates.pop()], matched_by=used)
    return Match(problem=f"{len(candidates)} elements match {describe(locator)}")


def _strong_sets(
    pool: list[Element], locator: dict[str, Any], hits: dict[str, set[str]], ids: set[str]
) -> dict[str, set[str]]:
    attributes = locator.get("attributes") or {}
    sets: dict[str, set[str]] = {}
    for key in ("data-testid", "id"):
        if attributes.get(key) and key in hits:
            sets[f"attr:{key}"] = hits[key] & ids
    for key in ("name", "aria-label", "placeholder", "title", "alt"):
        value = attributes.get(key)
        if value:  # the walker drops aria-label/title/alt equal to the name: compare both
            sets[f"attr:{key}"] = {
                e.id
                for e in pool
                if e.attributes.get(key) == value
                or (key in ("aria-label", "title", "alt") and _norm(e.text) == _norm(value))
            }
    if attributes.get("href"):
        want = _path(attributes["href"])
        sets["href"] = {e.id for e in pool if _path(e.attributes.get("href", "")) == want}
    for key in ("name", "label"):
        value = _norm(str(locator.get(key) or ""))
        if value and not (key == "label" and "name" in sets and value == _norm(locator["name"])):
            sets[key] = {e.id for e in pool if _norm(e.text) == value}
    return sets


def _weak_sets(
    pool: list[Element], locator: dict[str, Any], hits: dict[str, set[str]]
) -> dict[str, set[str]]:
    attributes = locator.get("attributes") or {}
    sets = {
        f"attr:{key}": {e.id for e in pool if e.attributes.get(key) == attributes[key]}
        for key in WEAK_ATTRIBUTES
        if attributes.get(key)
    }
    if "css" in hits:
        sets["css"] = hits["css"]
    return sets


def _same_kind(element: Element, locator: dict[str, Any]) -> bool:
    if element.tag == locator.get("tag"):
        return True
    role = locator.get("role")
    return bool(role) and role_of(element) == role


def _features(locator: dict[str, Any]) -> str:
    attributes = locator.get("attributes") or {}
    parts = [f'text "{locator["name"]}"'] if locator.get("name") else []
    parts += [f'{k}="{v}"' for k, v in attributes.items() if k in (*STRONG_ATTRIBUTES, "href")]
    return "looked for " + (", ".join(parts) or f"a <{locator.get('tag')}>")


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip(" *:✱\u00a0").casefold()


def _path(href: str) -> str:
    """An href without its origin, so a workflow replayed on another host still matches."""
    parts = urlsplit(href)
    return (parts.path.rstrip("/") or "/") + (f"?{parts.query}" if parts.query else "")


def _css_string(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"')
