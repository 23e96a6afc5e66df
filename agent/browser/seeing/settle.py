"""Waiting until a page has settled before it is observed.

A page is read settled when four things hold at once: the document's load event has
fired, no fetch/XHR request the page's scripts sent is still open (nor a short timer
pending: an app that fetches 100 ms after load), the DOM has not
changed for :data:`QUIET_MS`, and no finite animation or transition is running. Apps
that render 50-300 ms after load, and sections that slide open after a click, are then
read whole, not half drawn.

Every wait is bounded: the whole settle never takes longer than :data:`CAP_MS`, and the
request wait alone stops after :data:`NETWORK_CAP_MS` (a long-poll never ends). A page
that never settles (a ticker, a spinner that mutates the DOM) costs that cap and no
more; :class:`SettleReport` says what was still busy.

Requests, short timers (``setTimeout`` of 1 s or less) and DOM changes are counted by :data:`ACTIVITY_JS`, an init script that
:func:`agent.browser.seeing.observe.track_click_listeners` installs with the click tracker.
Without it (a page opened before tracking) the DOM is watched from the moment settling
starts, and requests are not seen.

    report = await settle(page)
    report.waited_ms, report.busy   # 0.0, () on a quiet page
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from playwright.async_api import Page

logger = logging.getLogger(__name__)

CAP_MS = 1500.0
"""The longest a settle may wait, whatever the page does."""
NETWORK_CAP_MS = 1000.0
"""How long open fetch/XHR requests are waited for (a long-poll or a hung request)."""
QUIET_MS = 100.0
"""How long the DOM must be unchanged to count as quiet."""
POLL_MS = 25.0

ACTIVITY = "__agentActivity"
ACTIVITY_JS = """
(() => {
  const TIMER_MS = 1000;
  if (window.__agentActivity) return;
  const activity = { pending: 0, last: performance.now() };
  Object.defineProperty(window, "__agentActivity", { value: activity, enumerable: false });
  const done = () => { activity.pending = Math.max(0, activity.pending - 1); };
  const fetch0 = window.fetch;
  if (fetch0) {
    window.fetch = function fetch() {
      activity.pending++;
      return Reflect.apply(fetch0, this, arguments).finally(done);
    };
  }
  const send0 = XMLHttpRequest.prototype.send;
  XMLHttpRequest.prototype.send = function send() {
    activity.pending++;
    this.addEventListener("loadend", done, { once: true });
    try { return Reflect.apply(send0, this, arguments); } catch (e) { done(); throw e; }
  };
  // Short timers (an app that fetches 100 ms after load) count as pending work until they
  // fire or are cleared; intervals and long timers do not.
  const timers = new Set();
  const setTimeout0 = window.setTimeout, clearTimeout0 = window.clearTimeout;
  window.setTimeout = function setTimeout(fn, delay, ...rest) {
    const short = (Number(delay) || 0) <= TIMER_MS && typeof fn === "function";
    let id = 0;
    const run = function () { timers.delete(id); return Reflect.apply(fn, this, arguments); };
    id = Reflect.apply(setTimeout0, this, [short ? run : fn, delay, ...rest]);
    if (short) timers.add(id);
    return id;
  };
  window.clearTimeout = function clearTimeout(id) {
    timers.delete(id);
    return Reflect.apply(clearTimeout0, this, arguments);
  };
  Object.defineProperty(activity, "timers", { get: () => timers.size });
  // The agent's own marks (data-agent-* attributes, the id overlay of screenshots) are not
  // the page changing.
  const ours = (nodes) => nodes.length > 0 &&
    Array.from(nodes).every((n) => n.nodeType === 1 && n.hasAttribute("data-agent-overlay"));
  new MutationObserver((records) => {
    for (const r of records) {
      if (r.type === "attributes" && (r.attributeName || "").startsWith("data-agent-")) continue;
      if (r.type === "childList" && (ours(r.addedNodes) || ours(r.removedNodes))) continue;
      activity.last = performance.now();
      return;
    }
  }).observe(document, { subtree: true, childList: true, attributes: true, characterData: true });
})();
"""

_SETTLE_JS = """
async ({ cap, networkCap, quiet, poll }) => {
  const t0 = performance.now();
  const activity = window.__agentActivity;
  let last = t0;
  let watcher = null;
  if (!activity) {
    watcher = new MutationObserver(() => { last = performance.now(); });
    watcher.observe(document, { subtree: true, childList: true, attributes: true, characterData: true });
  }
  const running = () => document.getAnimations().some((a) => {
    if (a.playState !== "running" || !a.effect) return false;
    const end = a.effect.getComputedTiming().endTime;
    return Number.isFinite(end);  // a spinner that turns forever is not waited for
  });
  let busy = [];
  for (;;) {
    const now = performance.now();
    const changed = activity ? activity.last : last;
    busy = [];
    if (document.readyState !== "complete") busy.push("load");
    if (activity && activity.pending > 0 && now - t0 < networkCap) busy.push("network");
    if (activity && activity.timers > 0 && now - t0 < networkCap) busy.push("timers");
    if (now - changed < quiet) busy.push("dom");
    if (running()) busy.push("animation");
    if (!busy.length || now - t0 >= cap) break;
    await new Promise((resolve) => setTimeout(resolve, poll));
  }
  if (watcher) watcher.disconnect();
  return { waited: performance.now() - t0, busy };
}
"""


@dataclass(frozen=True)
class SettleReport:
    """How long settling waited, and what was still busy when it stopped (empty: settled)."""

    waited_ms: float
    busy: tuple[str, ...] = ()

    @property
    def settled(self) -> bool:
        """True when the page was quiet in every respect before the cap."""
        return not self.busy


async def settle(page: Page, *, cap_ms: float = CAP_MS) -> SettleReport:
    """Wait (at most ``cap_ms``) until ``page`` is loaded, network- and DOM-quiet, not animating.

    A navigation that replaces the document while waiting is followed: the new document
    is waited for within what is left of the cap. A closed page raises Playwright's error.
    """
    import time

    from playwright.async_api import Error as PlaywrightError

    start = time.perf_counter()
    busy: tuple[str, ...] = ()
    for _ in range(3):
        left = cap_ms - (time.perf_counter() - start) * 1000
        if left <= 0:
            break
        args = {
            "cap": left,
            "networkCap": min(NETWORK_CAP_MS, left),
            "quiet": QUIET_MS,
            "poll": POLL_MS,
        }
        try:
            result = await page.main_frame.evaluate(_SETTLE_JS, args)
        except PlaywrightError as exc:
            if page.is_closed():
                raise
            logger.debug("settle: the document changed while waiting (%s)", exc)
            busy = ("navigation",)
            try:
                await page.wait_for_load_state("domcontentloaded", timeout=max(left, 1))
            except PlaywrightError:
                pass
            continue
        busy = tuple(str(b) for b in result["busy"])
        break
    report = SettleReport(waited_ms=round((time.perf_counter() - start) * 1000, 1), busy=busy)
    if report.busy:
        logger.debug("settle: stopped after %.0f ms with %s still busy", report.waited_ms, busy)
    return report
