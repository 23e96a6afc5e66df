"""Waiting for the list a field opens while one types: :func:`watch_suggestions`.

An autocomplete in the jQuery UI style looks at the field 300 ms after the last key, or asks
its server first, so its list opens after INPUT_TEXT has typed the last character. The next
observation must show it (the model picks an option from it), so typing ends only once the
page is still again: a field that shows signs of suggesting (``probe``'s ``suggests``: a
combobox, ``aria-autocomplete``, ``autocomplete=off``, a search field) is watched for
:data:`WAIT_SECONDS`, and any field whose typing sent a
request for as long as its answer may take; once the page changes, it must stay still a
moment (the list is drawn). A field that shows no such sign and sent nothing costs no
round trip.

    async with watch_suggestions(page, field, may_suggest) as suggested:
        await type_the_text()
    message += suggested.note()   # '; a list opened with 1 option: "Pullman, WA (PUW)" ...'
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from playwright.async_api import Error as PlaywrightError

from agent.browser.acting._context import Target, js

if TYPE_CHECKING:
    from playwright.async_api import Page, Request

WAIT_SECONDS = 0.7
"""How long after the last key a field that may suggest is watched for a list to open..."""
REQUEST_SECONDS = 1.5
"""...and how long when the typing sent a request (the suggestions come from the server)."""
QUIET_SECONDS = 0.12
"""Once the page changed, it must stay still this long (the list is drawn)."""
_POLL_SECONDS = 0.05
_SUGGEST_REQUESTS = frozenset({"fetch", "xhr"})


@dataclass
class Suggested:
    """What opened around the field while and after it was typed into."""

    changes: int = 0
    """DOM changes outside the field."""
    items: list[str] = field(default_factory=list)
    """The first options shown (their text)."""
    count: int = 0
    """How many visible options appeared."""

    def note(self) -> str:
        """The message's words for it ("" when no list opened)."""
        if not self.count:
            return ""
        shown = ", ".join(f'"{item}"' for item in self.items)
        more = f" and {self.count - len(self.items)} more" if self.count > len(self.items) else ""
        plural = "option" if self.count == 1 else "options"
        return f"; a list opened with {self.count} {plural}: {shown}{more}"


@asynccontextmanager
async def watch_suggestions(
    page: Page, target: Target, may_suggest: bool
) -> AsyncIterator[Suggested]:
    """Watch the page while the body types into ``target``; after it, wait for what opens."""
    found = Suggested()
    requests: list[Request] = []

    def on_request(request: Request) -> None:
        if request.resource_type in _SUGGEST_REQUESTS:
            requests.append(request)

    page.on("request", on_request)
    try:
        # A field that may suggest is watched from its first key; another only once its
        # typing turned out to send a request (no round trip for a plain field).
        started = may_suggest and await _start(target)
        yield found
        if not started and requests:
            started = await _start(target)
        if started:
            await _until_still(target, found, may_suggest, requests)
    finally:
        page.remove_listener("request", on_request)


async def _start(target: Target) -> bool:
    try:
        return bool(await js(target, "suggestStart"))
    except PlaywrightError:
        return False


async def _read(target: Target, stop: bool) -> dict[str, Any]:
    try:
        read: dict[str, Any] = await js(target, "suggestRead", stop)
    except PlaywrightError:  # the field or its page went away: nothing more to wait for
        return {"changes": 0, "items": [], "count": 0}
    return read


async def _until_still(
    target: Target, found: Suggested, may_suggest: bool, requests: list[Request]
) -> None:
    loop = asyncio.get_running_loop()
    start = loop.time()
    # What changed while typing (a key counter, the field's own hints) is not the list:
    # only what changes after the last key is waited for.
    seen, changed_at = (await _read(target, False))["changes"], None
    while True:
        now = loop.time()
        if changed_at is None:  # nothing opened yet: wait as long as the field warrants
            limit = REQUEST_SECONDS if requests else WAIT_SECONDS if may_suggest else 0.0
            if now - start >= limit:
                break
        elif now - changed_at >= QUIET_SECONDS or now - start >= REQUEST_SECONDS:
            break  # it opened and is still now (or never stops moving)
        await asyncio.sleep(_POLL_SECONDS)
        read = await _read(target, False)
        if read["changes"] != seen:
            seen, changed_at = read["changes"], loop.time()
    final = await _read(target, True)
    found.changes, found.items, found.count = final["changes"], final["items"], final["count"]


__all__ = ["Suggested", "watch_suggestions"]
