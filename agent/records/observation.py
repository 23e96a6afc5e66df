"""What the agent sees of a page: the :class:`Observation` model and its prompt rendering.

An observation is made by :func:`agent.browser.seeing.observe.observe`. It holds the elements the
model may act on (each with a stable id that is also written into the page as
``data-agent-id``), the text lines it should read, in document order across frames, and
the viewport. :meth:`Observation.render` turns it into the compact text the prompt
carries, within a token budget::

    obs = await observe(page)
    print(obs.render())            # [12]<button>Submit</button> ...
    await obs.locate(page, "12").click()

Password values never enter an observation: the walker masks them before they leave the
page, so neither ``render()`` nor ``model_dump()`` can leak them.
"""

from __future__ import annotations

import hashlib
import re
from typing import TYPE_CHECKING, Any
from urllib.parse import urljoin, urlsplit

from pydantic import BaseModel, Field, PrivateAttr

from agent.records.errors import BrowserError
from agent.records.views import view  # the renderer registers itself there (it imports this)

if TYPE_CHECKING:
    from playwright.async_api import Frame, Locator, Page

_SHORT_URL = re.compile(r"\S*…~([0-9a-f]{5})")


class StaleElementError(BrowserError):
    """An element id that this observation does not know, or whose frame is gone."""

    def __init__(self, element_id: str, detail: str = "") -> None:
        self.element_id = element_id
        super().__init__(
            f"element {element_id} is no longer on the page (stale id){detail}; observe again"
        )


class Box(BaseModel):
    """A rectangle in CSS pixels, relative to the top-left of the main frame's viewport."""

    x: float = Field(description="Left edge.")
    y: float = Field(description="Top edge; negative above the viewport.")
    width: float = Field(description="Width.")
    height: float = Field(description="Height.")


class Element(BaseModel):
    """One element the model may act on (or a disabled control it should know about)."""

    id: str = Field(
        description='Stable id, also the DOM attribute data-agent-id; "12" in the main frame, '
        '"3-7" in frame 3.'
    )
    tag: str = Field(description="Lower-case tag name, e.g. button, input, div.")
    role: str | None = Field(default=None, description="The explicit ARIA role, if any.")
    text: str = Field(default="", description="Accessible name or visible text, trimmed.")
    attributes: dict[str, str] = Field(
        default_factory=dict,
        description="Whitelisted attributes and live state (value, checked, expanded, ...); "
        'password values are masked as "(hidden, N characters)".',
    )
    frame: str = Field(default="", description='"" for the main frame, else the frame key.')
    interactable: bool = Field(default=True, description="False for disabled controls.")
    in_viewport: bool = Field(default=False, description="Visible in the viewport now.")
    options: list[dict[str, Any]] | None = Field(
        default=None,
        description="For <select> and listboxes: [{label, value, selected, index}] (listbox "
        "options also carry their element id).",
    )
    box: Box | None = Field(default=None, description="Where it is, in viewport coordinates.")
    order: int = Field(default=0, description="Position in document order (frames inlined).")
    scroll_box: str | None = Field(
        default=None, description="Id of the innermost scroll box (an element) that holds it."
    )
    hidden_in: str | None = Field(
        default=None,
        description="Id of the scroll box whose visible part it lies outside (scroll that box "
        "to see it; actions scroll it into view themselves).",
    )
    hidden_side: str | None = Field(
        default=None, description='Where it lies from that box\'s visible part: "down", "up", ...'
    )
    hidden_count: dict[str, int] | None = Field(
        default=None,
        description="For a scroll box with overflow hidden: how many items it hides, by side "
        "(counted, not listed).",
    )
    ambient: bool = Field(
        default=False,
        exclude=True,  # a reading of this page's moment: never stored with the step's records
        description="Its text or attributes change on their own (a clock, a carousel), as "
        "the page was seen doing with no action; the loop guard leaves it out.",
    )


class TextLine(BaseModel):
    """A line of text the model should read (heading, paragraph, label, cell, message)."""

    text: str = Field(description="The text, whitespace collapsed.")
    tag: str = Field(default="", description="Tag of the block it comes from (h1, p, td, alert).")
    frame: str = Field(default="", description="Frame key, as for Element.frame.")
    in_viewport: bool = Field(default=False, description="Visible in the viewport now.")
    box: Box | None = Field(default=None, description="Where it is, in viewport coordinates.")
    order: int = Field(default=0, description="Position in document order (frames inlined).")
    scroll_box: str | None = Field(default=None, description="As for Element.scroll_box.")
    hidden_in: str | None = Field(default=None, description="As for Element.hidden_in.")
    hidden_side: str | None = Field(default=None, description="As for Element.hidden_side.")
    steady: str | None = Field(
        default=None,
        exclude=True,  # as Element.ambient
        description='The text with its parts that change on their own (a clock) as "~"; '
        "None when it has none. The loop guard reads this, the prompt shows the text.",
    )


class FrameInfo(BaseModel):
    """A child frame that was walked."""

    key: str = Field(description="Frame key; element ids in it start with '<key>-'.")
    url: str = Field(description="The frame's URL.")
    parent: str = Field(default="", description="Key of the parent frame.")
    element_id: str = Field(description="Id of the <iframe> element in the parent frame.")


class Viewport(BaseModel):
    """Viewport size and scroll position of the main frame."""

    width: int = Field(description="Viewport width in CSS px.")
    height: int = Field(description="Viewport height in CSS px.")
    scroll_x: int = Field(default=0, description="Horizontal scroll offset.")
    scroll_y: int = Field(default=0, description="Vertical scroll offset.")
    page_width: int = Field(default=0, description="Scrollable width of the document.")
    page_height: int = Field(default=0, description="Scrollable height of the document.")


class Observation(BaseModel):
    """The page as the model sees it: elements with ids, text, viewport, optional screenshot."""

    url: str = Field(description="URL of the page (main frame).")
    title: str = Field(default="", description="Document title.")
    elements: list[Element] = Field(default_factory=list, description="Elements with ids.")
    texts: list[TextLine] = Field(default_factory=list, description="Text lines to read.")
    frames: dict[str, FrameInfo] = Field(default_factory=dict, description="Child frames walked.")
    viewport: Viewport = Field(description="Viewport and scroll position.")
    token_budget: int = Field(default=1200, description="Budget render() keeps to.")
    screenshot: bytes | None = Field(
        default=None,
        exclude=True,
        repr=False,
        description="Viewport PNG, when asked for, with the listed elements' ids drawn on it.",
    )
    settle_ms: float | None = Field(
        default=None,
        description="How long observe() waited for the page to settle before reading it "
        "(None: it did not wait); not part of the observation's own time.",
    )
    unsettled: list[str] = Field(
        default_factory=list,
        description="What was still busy when the settle wait hit its cap "
        '("load", "network", "dom", "animation"); empty when the page settled.',
    )
    _frame_objects: dict[str, Frame] = PrivateAttr(default_factory=dict)
    _by_id: dict[str, Element] | None = PrivateAttr(default=None)
    _rendered: dict[int, str] = PrivateAttr(default_factory=dict)

    def render(self, token_budget: int | None = None) -> str:
        """The exact compact text the prompt carries, within ``token_budget`` tokens.

        The viewport and a margin are rendered in full when the budget allows; what lies
        beyond is summarized ("N more elements below"). Example line:
        ``[13]<input type=email name=email placeholder="you@x.com" value="">Email</input>``.
        """
        budget = token_budget or self.token_budget
        if budget not in self._rendered:  # an observation is not changed after it is made
            self._rendered[budget] = str(view("observation_text")(self, budget))
        return self._rendered[budget]

    def element(self, element_id: str) -> Element | None:
        """The element with this id, or None."""
        if self._by_id is None:
            self._by_id = {e.id: e for e in self.elements}
        return self._by_id.get(str(element_id).strip().strip("[]"))

    def locate(self, page: Page, element_id: str) -> Locator:
        """A Playwright Locator for the element, in its frame (open shadow roots included).

        Raises :class:`StaleElementError` when the id is not in this observation or its
        frame is gone. A node removed since the observation gives a locator with
        ``count() == 0``; ids are never re-used for other nodes.
        """
        element = self.element(element_id)
        if element is None:
            raise StaleElementError(str(element_id), " (not in the current observation)")
        frame = self._frame_objects.get(element.frame)
        if frame is None:
            if element.frame:
                raise StaleElementError(element.id, f" (frame {element.frame} is unknown)")
            frame = page.main_frame
        if frame.is_detached():
            raise StaleElementError(element.id, f" (frame {element.frame} was removed)")
        return frame.locator(f'[data-agent-id="{element.id}"]')

    def frame_of(self, element_id: str) -> Frame | None:
        """The Playwright Frame the element lives in (None when the id or frame is unknown)."""
        element = self.element(element_id)
        if element is None:
            return None
        return self._frame_objects.get(element.frame)

    def expand_url(self, text: str) -> str:
        """Restore hrefs that :meth:`render` shortened (``/p/long…~1a2b3``) in ``text``.

        A bare same-site path (``/jobs/apply``) is resolved against the page URL.
        """
        by_hash = {short_url_hash(href): href for href in self._hrefs()}

        def restore(match: re.Match[str]) -> str:
            return by_hash.get(match.group(1), match.group(0))

        expanded = _SHORT_URL.sub(restore, text)
        if expanded.startswith("/") and not expanded.startswith("//") and " " not in expanded:
            return urljoin(self.url, expanded)
        return expanded

    def fingerprint(self) -> str:
        """A short hash of the URL and the interactable elements' ids and states.

        Two observations with the same fingerprint show the same page state, which is how a
        loop that changes nothing is noticed.
        """
        digest = hashlib.sha1(self.url.encode())
        for e in self.elements:
            if not e.interactable:
                continue
            a = e.attributes
            state = (
                e.id,
                a.get("value"),
                a.get("checked"),
                a.get("selected"),
                a.get("expanded"),
                a.get("disabled"),
            )
            digest.update(repr(state).encode())
        return digest.hexdigest()[:12]

    def _hrefs(self) -> list[str]:
        return [e.attributes["href"] for e in self.elements if "href" in e.attributes]


def short_url_hash(href: str) -> str:
    """The 5-hex-digit tag that marks a shortened href."""
    return hashlib.sha1(href.encode()).hexdigest()[:5]


def shorten_url(href: str, page_url: str, limit: int = 60) -> str:
    """How an href appears in the prompt: same-origin hrefs lose their origin, long ones are cut.

    A cut href ends in ``…~<hash>``, which :meth:`Observation.expand_url` restores.
    """
    short = href
    page, link = urlsplit(page_url), urlsplit(href)
    if link.scheme in ("http", "https") and (link.scheme, link.netloc) == (
        page.scheme,
        page.netloc,
    ):
        short = href[len(f"{link.scheme}://{link.netloc}") :] or "/"
    if len(short) > limit:
        short = short[: limit - 10] + "…~" + short_url_hash(href)
    return short
