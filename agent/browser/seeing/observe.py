"""Observing a page: run the in-page walker in every frame and assemble an Observation.

``dom.js`` walks one frame's document (open shadow roots included) and tags what it
reports with ``data-agent-id``. This module runs it in the main frame, then in each
visible child frame (same-origin or not: Playwright reaches both), maps every child
frame to its ``<iframe>`` element, moves child coordinates into the main viewport and
splices the child's nodes in after its iframe, so document order holds across frames.

Ids are ``"<n>"`` in the main frame and ``"<k>-<n>"`` in frame ``k``. Frame keys and the
id counters live per page in this module, so even after a navigation a new node never
receives an id that an older observation handed out.

Click handlers added with ``addEventListener`` are only visible to the walker when
:func:`track_click_listeners` ran before the page's scripts (it is an init script);
``observe`` installs it on the page the first time, so it holds from the next load on.
Without it the walker still finds ``onclick``, pointer cursors, tabindex and ARIA roles.
"""

from __future__ import annotations

import asyncio
import json
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any
from weakref import WeakKeyDictionary, WeakSet

from agent.browser.seeing.id_labels import labelled_screenshot
from agent.browser.seeing.settle import settle
from agent.records.observation import Box, Element, FrameInfo, Observation, TextLine, Viewport

if TYPE_CHECKING:
    from playwright.async_api import BrowserContext, Frame, Page

logger = logging.getLogger(__name__)

TRACKER = "__agentClickTargets"
_TRACKER_JS = """
(() => {
  if (window.__agentClickTargets) return;
  const targets = new WeakSet();
  Object.defineProperty(window, "__agentClickTargets", { value: targets, enumerable: false });
  const kinds = new Set(["click", "mousedown", "mouseup", "pointerdown", "pointerup", "touchstart"]);
  const original = EventTarget.prototype.addEventListener;
  EventTarget.prototype.addEventListener = function addEventListener(type, listener, options) {
    if (kinds.has(type) && this instanceof Element) targets.add(this);
    return Reflect.apply(original, this, arguments);
  };
})();
"""
_WALK_RETRIES = 3
_script_cache: list[str] = []
Rect = tuple[float, float, float, float]  # left, top, right, bottom


@dataclass
class _PageState:
    """Per-page bookkeeping that must outlive one observation."""

    frame_keys: dict[Frame, str] = field(default_factory=dict)
    iframe_ids: dict[Frame, str] = field(default_factory=dict)
    hidden: set[Frame] = field(default_factory=set)
    """Frames whose <iframe> the walker did not report (hidden): not walked until one is."""
    next_id: dict[str, int] = field(default_factory=dict)
    next_key: int = 1
    tracking: bool = False

    def key_for(self, frame: Frame) -> str:
        if frame not in self.frame_keys:
            self.frame_keys[frame] = str(self.next_key)
            self.next_key += 1
        return self.frame_keys[frame]


_STATES: WeakKeyDictionary[Page, _PageState] = WeakKeyDictionary()
_TRACKED_CONTEXTS: WeakSet[BrowserContext] = WeakSet()
"""Contexts that run the tracker on every page (``BrowserManager.new_context`` installs it)."""


def _script() -> str:
    if not _script_cache:
        from agent.browser.seeing.ambient import with_ambient

        walker = (Path(__file__).with_name("dom.js")).read_text(encoding="utf-8")
        _script_cache.append(with_ambient(walker))
    return _script_cache[0]


async def track_click_listeners(target: Page | BrowserContext) -> None:
    """Record elements that get click-like listeners, for pages loaded from now on.

    Call it on a new context (or page) before navigating, so script-attached handlers on
    plain ``<div>``s are found from the first observation on.
    """
    from playwright.async_api import BrowserContext

    from agent.browser.seeing.ambient import ambient_init_script
    from agent.browser.seeing.settle import ACTIVITY_JS

    await target.add_init_script(_TRACKER_JS)
    await target.add_init_script(ACTIVITY_JS)  # requests and DOM changes, for settle()
    await target.add_init_script(ambient_init_script())  # what changes on its own
    if isinstance(target, BrowserContext):  # its pages need no script of their own
        _TRACKED_CONTEXTS.add(target)


async def observe(
    page: Page, *, screenshot: bool = False, token_budget: int = 1200, settled: bool = False
) -> Observation:
    """Observe ``page``: elements with stable ids, text lines, viewport, optional screenshot.

    ``settled``: first wait (bounded) until the page is loaded and quiet
    (:func:`agent.browser.seeing.settle.settle`); the wait is reported as
    ``Observation.settle_ms``, apart from the observation's own time. The screenshot is
    taken right after the walk, with the listed elements' ids drawn on it
    (:mod:`agent.browser.seeing.id_labels`), so text and picture show the same moment.

    Example::

        obs = await observe(page)
        prompt_text = obs.render()
        await obs.locate(page, "12").click()
    """
    state = _STATES.get(page)
    if state is None:
        state = _STATES[page] = _PageState()
    if not state.tracking:
        state.tracking = True
        if page.context not in _TRACKED_CONTEXTS:
            await track_click_listeners(page)
    report = await settle(page) if settled else None
    walked = await _walk_all(page, state)
    await _map_iframes(page, walked, state)
    stitch = _Stitcher(walked, state)
    flat = stitch.nodes(page.main_frame, "", (0.0, 0.0), None)
    main = walked[page.main_frame]
    viewport = Viewport(
        width=int(main["vw"]),
        height=int(main["vh"]),
        scroll_x=int(main["sx"]),
        scroll_y=int(main["sy"]),
        page_width=int(main["sw"]),
        page_height=int(main["sh"]),
    )
    elements, texts = _assemble(flat, viewport, stitch.infos)
    observation = Observation(
        url=page.url,
        title=str(main.get("title") or ""),
        elements=elements,
        texts=texts,
        frames=stitch.infos,
        viewport=viewport,
        token_budget=token_budget,
        settle_ms=report.waited_ms if report else None,
        unsettled=list(report.busy) if report else [],
    )
    observation._frame_objects = stitch.frames
    if screenshot:
        observation.screenshot = await labelled_screenshot(page, elements)
    return observation


async def _walk(frame: Frame, key: str, state: _PageState) -> dict[str, Any]:
    args = {
        "prefix": f"{key}-" if key else "",
        "start": state.next_id.get(key, 1),
        "tracker": TRACKER,
    }
    raw: dict[str, Any] = json.loads(await frame.evaluate(_script(), args))
    state.next_id[key] = max(state.next_id.get(key, 1), int(raw["next"]))
    return raw


async def _walk_all(page: Page, state: _PageState) -> dict[Frame, dict[str, Any]]:
    """Walk every frame at once (one round trip, not one per nesting level).

    A main-frame walk that a navigation interrupts is retried once the new document is
    there; a child frame that fails (detached, still loading) is left out.
    """
    from playwright.async_api import Error as PlaywrightError

    for attempt in range(_WALK_RETRIES):
        frames = [f for f in page.frames if not f.is_detached() and f not in state.hidden]
        if page.main_frame not in frames:
            frames.insert(0, page.main_frame)
        keys = ["" if f == page.main_frame else state.key_for(f) for f in frames]
        results = await asyncio.gather(
            *(_walk(f, k, state) for f, k in zip(frames, keys, strict=True)), return_exceptions=True
        )
        main = results[frames.index(page.main_frame)]
        if isinstance(main, PlaywrightError):
            if attempt == _WALK_RETRIES - 1 or "closed" in str(main).lower():
                raise main
            logger.debug("observe: main frame walk failed (%s); retrying", main)
            try:
                await page.wait_for_load_state("domcontentloaded", timeout=5000)
            except PlaywrightError:
                pass
            continue
        walked: dict[Frame, dict[str, Any]] = {}
        for frame, result in zip(frames, results, strict=True):
            if isinstance(result, dict):
                walked[frame] = result
            elif not isinstance(result, PlaywrightError):
                raise result
            else:
                logger.debug("observe: frame %s could not be walked: %s", frame.url, result)
        return walked
    raise AssertionError("unreachable")


async def _map_iframes(page: Page, walked: dict[Frame, Any], state: _PageState) -> None:
    """Learn which <iframe> element (by its agent id) holds each newly seen child frame.

    Lookups happen only when a walk reported a visible iframe that no frame is mapped to
    yet. Otherwise every unmapped child frame sits in a hidden iframe (trackers, ads): it
    is marked hidden and not walked again, so such pages cost no lookups and no walks. A
    frame found mapped by a lookup is walked at once (nested ones too), so this
    observation includes it.
    """
    for _ in range(3):  # one round per nesting level that just became visible
        mapped = set(state.iframe_ids.values())
        unmapped = {
            node["id"]
            for result in walked.values()
            for node in result["nodes"]
            if node["k"] == "f" and node["id"] not in mapped
        }
        others = [
            f
            for f in page.frames
            if f != page.main_frame and not f.is_detached() and f not in state.iframe_ids
        ]
        if not unmapped:
            state.hidden.update(others)
            return
        await _lookup_iframes(others, state)
        late = [f for f in others if f in state.iframe_ids and f not in walked]
        if not late:
            return
        await _walk_late(late, walked, state)


async def _lookup_iframes(frames: list[Frame], state: _PageState) -> None:
    from playwright.async_api import Error as PlaywrightError

    async def lookup(frame: Frame) -> None:
        handle = await frame.frame_element()
        try:
            value = await handle.get_attribute("data-agent-id")
        finally:
            await handle.dispose()
        if value:
            state.iframe_ids[frame] = value
            state.hidden.discard(frame)
        else:
            state.hidden.add(frame)

    for result in await asyncio.gather(*(lookup(f) for f in frames), return_exceptions=True):
        if isinstance(result, BaseException) and not isinstance(result, PlaywrightError):
            raise result


async def _walk_late(frames: list[Frame], walked: dict[Frame, Any], state: _PageState) -> None:
    from playwright.async_api import Error as PlaywrightError

    results = await asyncio.gather(
        *(_walk(f, state.key_for(f), state) for f in frames), return_exceptions=True
    )
    for frame, result in zip(frames, results, strict=True):
        if isinstance(result, dict):
            walked[frame] = result
        elif not isinstance(result, PlaywrightError):
            raise result


class _Stitcher:
    """Splices each child frame's nodes in after its iframe, in main-viewport coordinates."""

    def __init__(self, walked: dict[Frame, dict[str, Any]], state: _PageState) -> None:
        self.walked = walked
        self.state = state
        self.infos: dict[str, FrameInfo] = {}
        self.frames: dict[str, Frame] = {}

    def nodes(
        self, frame: Frame, key: str, offset: tuple[float, float], clip: Rect | None
    ) -> list[dict[str, Any]]:
        self.frames[key] = frame
        children = {
            self.state.iframe_ids[c]: c
            for c in frame.child_frames
            if c in self.walked and c in self.state.iframe_ids
        }
        flat: list[dict[str, Any]] = []
        for node in self.walked[frame]["nodes"]:
            left, top = offset[0] + node["x"], offset[1] + node["y"]
            flat.append({**node, "frame": key, "x": left, "y": top, "clip": clip})
            child = children.get(node["id"]) if node["k"] == "f" else None
            if child is None:
                continue
            child_key = self.state.key_for(child)
            box: Rect = (left, top, left + node["w"], top + node["h"])
            self.infos[child_key] = FrameInfo(
                key=child_key, url=child.url, parent=key, element_id=node["id"]
            )
            inner = box if clip is None else _intersection(clip, box)
            flat.extend(self.nodes(child, child_key, (left, top), inner))
        return flat


def _intersection(a: Rect, b: Rect) -> Rect:
    return (max(a[0], b[0]), max(a[1], b[1]), min(a[2], b[2]), min(a[3], b[3]))


def _visible_in(box: Rect, area: Rect) -> bool:
    return box[2] > area[0] and box[0] < area[2] and box[3] > area[1] and box[1] < area[3]


def _assemble(
    flat: list[dict[str, Any]], viewport: Viewport, infos: dict[str, FrameInfo]
) -> tuple[list[Element], list[TextLine]]:
    elements: list[Element] = []
    texts: list[TextLine] = []
    screen: Rect = (0.0, 0.0, float(viewport.width), float(viewport.height))
    walked = {info.element_id for info in infos.values()}
    for order, node in enumerate(flat):
        rect: Rect = (node["x"], node["y"], node["x"] + node["w"], node["y"] + node["h"])
        area = screen if node["clip"] is None else _intersection(screen, node["clip"])
        in_viewport = not node.get("oc") and _visible_in(rect, area)
        # The walker's nodes are well-formed: construct without validating (600 elements
        # would cost tens of milliseconds of validation).
        box = Box.model_construct(
            x=round(node["x"], 1),
            y=round(node["y"], 1),
            width=round(node["w"], 1),
            height=round(node["h"], 1),
        )
        if node["k"] == "e":
            elements.append(
                Element.model_construct(
                    id=node["id"],
                    tag=node["tag"],
                    role=node.get("role"),
                    text=node["text"],
                    attributes=node["attrs"],
                    frame=node["frame"],
                    interactable=node["i"],
                    in_viewport=in_viewport,
                    options=node.get("opts"),
                    box=box,
                    order=order,
                    hidden_count=node.get("hc"),
                    ambient=bool(node.get("am")),
                    **_placement(node),
                )
            )
        elif node["k"] == "t" or (node["k"] == "f" and node["id"] in walked):
            tag = "iframe" if node["k"] == "f" else node["tag"]
            texts.append(
                TextLine.model_construct(
                    text=node["text"],
                    tag=tag,
                    frame=node["frame"],
                    in_viewport=in_viewport,
                    box=box,
                    order=order,
                    steady=node.get("st"),
                    **_placement(node),
                )
            )
    return elements, texts


def _placement(node: dict[str, Any]) -> dict[str, Any]:
    """The scroll-box fields of a walker node (box ids gain the frame's prefix already)."""
    if "in" not in node and "hb" not in node:
        return {}
    return {
        "scroll_box": node.get("in"),
        "hidden_in": node.get("hb"),
        "hidden_side": node.get("hd"),
    }
