"""Reading a prompt back the way a model reads it: for messages-only stand-ins.

A real model gets nothing but the messages. :class:`Prompt` wraps what one model call
sent (its purpose and its messages) and offers the few readings a test policy needs,
taken from the text alone: the goal, a section by its title, the page's element lines
with their ids, the page text, the JSON Schema, the images::

    prompt.goal                           # "Sign up as Ada ..."
    prompt.find(tag="input", name="email")  # PromptElement(id="4", tag="input", ...)
    "thank you" in prompt.page.lower()
    prompt.schema                         # {"type": "object", ...} or None

The prompts put the rendered page between ``<page>`` and ``</page>`` lines, so its
own headings cannot be taken for the prompt's sections, by a model or by these helpers.

Nothing here sees the library's structured observation: if a fact is not in the text
(or the pictures) that was sent, a policy built on these helpers cannot find it, and
neither could a model. That is the point.

:func:`purpose_of` tells a prompt's purpose from its text, for stand-ins behind an HTTP
provider, where only the messages arrive.
"""

from __future__ import annotations

import base64
import json
import re
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

_SECTION = re.compile(r"^## (.+)$", re.M)
_PAGE = re.compile(r"^<page>\n?(.*?)\n?^</page>$", re.S | re.M)
"""The rendered page: between ``<page>`` and ``</page>`` lines (the rules mention the tags in
running text, which is not a page)."""
_ELEMENT = re.compile(r"^(?P<indent>\s*)\[(?P<id>[^\]\s]+)\]<(?P<tag>[A-Za-z][\w:-]*)(?P<rest>.*)$")
_SCHEMA_SECTIONS = (
    "Data the goal must capture (JSON Schema)",
    "JSON Schema the answer must follow",
    "The final answer must follow this JSON Schema",
    "The output must follow this JSON Schema",
    "When it is achieved, also give the output, following this JSON Schema",
)

# The first words of each prompt template, as a model would recognise the task.
_OPENINGS = (
    ("You operate a web browser", "plan"),
    ("Decide whether the user's goal has been achieved", "verify"),
    ("Extract information from the current web page", "extract"),
    ("A browser task stopped.", "error_codes"),
    ("You plan a browser task", "plan_v2"),
    ("Check whether a user's browser task is done", "validate_v2"),
    ("Summarize what a browser task achieved", "summarize_v2"),
    ("A user wants a browser agent to do this", "generate_url"),
    ("You carry out one instruction on a web page", "page_act"),
    ("Extract data from a web page that a program", "page_extract"),
    ("Find elements on a web page that a program", "page_observe"),
    ("Judge whether a statement about a web page", "page_check"),
)


def purpose_of(text: str) -> str:
    """The purpose of a prompt, told from its opening words (``"unknown"`` if none fits).

    >>> purpose_of("You operate a web browser for a user. ...")
    'plan'
    """
    head = text.lstrip()
    for opening, purpose in _OPENINGS:
        if head.startswith(opening):
            return purpose
    return "unknown"


@dataclass(frozen=True)
class PromptElement:
    """One element line of a rendered page, as printed: ``[4]<input type=email>Email</input>``."""

    id: str
    tag: str
    attrs: dict[str, str]
    """Attributes as shown; a bare flag (``checked``) has the value ``"true"``."""
    text: str
    """The element's visible text (and ``options: ...`` of a select), as shown."""
    line: str
    """The whole line as it appeared in the prompt."""

    def label(self) -> str:
        """Text plus the attributes that name a control, lowercased, for matching."""
        keys = ("name", "placeholder", "aria-label", "title", "value", "type", "id")
        return " ".join([self.text, *(self.attrs.get(k, "") for k in keys)]).lower()


def parse_element_line(line: str) -> PromptElement | None:
    """Read one ``[id]<tag attrs>text</tag>`` line; ``None`` when the line is not an element.

    >>> e = parse_element_line('[7]<input type=text name=q placeholder="Find it">Search</input>')
    >>> (e.id, e.tag, e.attrs["placeholder"], e.text)
    ('7', 'input', 'Find it', 'Search')
    """
    match = _ELEMENT.match(line)
    if match is None:
        return None
    tag, rest = match["tag"], match["rest"]
    attrs: dict[str, str] = {}
    index = 0
    while index < len(rest) and rest[index] != ">":
        if rest[index].isspace():
            index += 1
            continue
        name_match = re.match(r"[^\s=>]+", rest[index:])
        if name_match is None:
            break
        name = name_match.group(0)
        index += len(name)
        if index < len(rest) and rest[index] == "=":
            index += 1
            if rest[index : index + 1] == '"':
                end = rest.find('"', index + 1)
                end = len(rest) if end < 0 else end
                attrs[name] = rest[index + 1 : end]
                index = end + 1
            else:
                value = re.match(r"[^\s>]*", rest[index:])
                attrs[name] = value.group(0) if value else ""
                index += len(attrs[name])
        else:
            attrs[name] = "true"
    body = rest[index + 1 :] if index < len(rest) else ""
    closing = f"</{tag}>"
    if body.endswith(closing):
        body = body[: -len(closing)]
    return PromptElement(match["id"], tag.lower(), attrs, body, line)


_BLOCK = re.compile(
    r"^- block (?P<index>\d+) \((?P<type>\w+)\): (?P<goal>.*?) → (?P<status>\w+)(?:: (?P<result>.*))?$"
)


@dataclass(frozen=True)
class PromptBlock:
    """One earlier block of a skyvern-2.0 run, as the planner's prompts list it."""

    index: int
    task_type: str
    goal: str
    status: str
    result: str
    data: Any
    """The block's data as printed after ``data:`` (parsed JSON), or ``None``."""


@dataclass
class Prompt:
    """One model call as a model would see it: the purpose and the messages, nothing more."""

    purpose: str
    messages: list[dict[str, Any]]
    _sections: dict[str, str] = field(default_factory=dict, init=False, repr=False)

    @cached_property
    def text(self) -> str:
        """Every text part of every message, in order, joined by blank lines."""
        parts: list[str] = []
        for message in self.messages:
            content = message.get("content")
            if isinstance(content, str):
                parts.append(content)
            elif isinstance(content, list):
                parts.extend(str(p.get("text", "")) for p in content if p.get("type") == "text")
        return "\n\n".join(parts)

    @cached_property
    def first_text(self) -> str:
        """The task prompt: the messages before the first answer (the system part, then the
        task and the page), without any re-ask that followed."""
        first = next(
            (i for i, m in enumerate(self.messages) if m.get("role") == "assistant"),
            len(self.messages),
        )
        return Prompt(self.purpose, self.messages[:first]).text

    @cached_property
    def last_text(self) -> str:
        """The last user message's text (a re-ask names what was wrong here)."""
        users = [m for m in self.messages if m.get("role") == "user"]
        return Prompt(self.purpose, users[-1:]).text if users else ""

    @property
    def is_reask(self) -> bool:
        """Whether the model is being asked again after an answer that did not fit."""
        return any(m.get("role") == "assistant" for m in self.messages)

    @cached_property
    def images(self) -> list[bytes]:
        """The pictures sent (decoded from their data URLs)."""
        found: list[bytes] = []
        for message in self.messages:
            content = message.get("content")
            if not isinstance(content, list):
                continue
            for part in content:
                if part.get("type") != "image_url":
                    continue
                url = part.get("image_url", {})
                url = url.get("url", "") if isinstance(url, dict) else str(url)
                if url.startswith("data:") and "," in url:
                    found.append(base64.b64decode(url.split(",", 1)[1]))
        return found

    def section(self, title: str) -> str | None:
        """The text under ``## <title>`` in the task prompt, up to the next heading."""
        if not self._sections:
            # the page's own headings (rendered "## ...") must not split the prompt
            text = _PAGE.sub("<page/>", self.first_text)
            heads = list(_SECTION.finditer(text))
            for index, head in enumerate(heads):
                end = heads[index + 1].start() if index + 1 < len(heads) else len(text)
                self._sections.setdefault(head.group(1).strip(), text[head.end() : end].strip())
        return self._sections.get(title)

    @property
    def goal(self) -> str:
        """The user's goal (``## User goal``, or what to extract), or ``""``."""
        return self.section("User goal") or self.section("What to extract") or ""

    @cached_property
    def page(self) -> str:
        """The page as rendered in the prompt (between its ``<page>`` tags), or ``""``."""
        match = _PAGE.search(self.first_text)
        return match.group(1) if match else ""

    @cached_property
    def elements(self) -> list[PromptElement]:
        """The element lines of the page, in order."""
        parsed = (parse_element_line(line) for line in self.page.splitlines())
        return [e for e in parsed if e is not None]

    def find(
        self, *, tag: str | None = None, text: str | None = None, **attrs: str
    ) -> PromptElement | None:
        """The first element with ``tag``, ``text`` in its label and the given attributes.

        Attribute names with a dash are written with an underscore (``aria_label=``).
        """
        for element in self.elements:
            if tag is not None and element.tag != tag:
                continue
            if text is not None and text.lower() not in element.label():
                continue
            if all(element.attrs.get(k.replace("_", "-")) == v for k, v in attrs.items()):
                return element
        return None

    @cached_property
    def lines(self) -> list[str]:
        """The page's text lines (not elements), stripped, headings without their ``#``."""
        found = []
        for raw in self.page.splitlines():
            line = raw.strip()
            if not line or parse_element_line(line) is not None:
                continue
            found.append(line.lstrip("#").strip())
        return found

    @cached_property
    def blocks(self) -> list[PromptBlock]:
        """The blocks a skyvern-2.0 prompt lists as done so far, with their data."""
        found: list[PromptBlock] = []
        text = _PAGE.sub("", self.first_text)
        for line in text.splitlines():
            match = _BLOCK.match(line)
            if match is not None:
                found.append(
                    PromptBlock(
                        int(match["index"]),
                        match["type"],
                        match["goal"],
                        match["status"],
                        match["result"] or "",
                        None,
                    )
                )
            elif found and line.strip().startswith("data: "):
                try:
                    data = json.loads(line.strip().removeprefix("data: "))
                except ValueError:
                    data = line.strip().removeprefix("data: ")
                last = found.pop()
                found.append(PromptBlock(**{**last.__dict__, "data": data}))
        return found

    @cached_property
    def schema(self) -> Any:
        """The JSON Schema the prompt gives for the answer, or ``None``."""
        for title in _SCHEMA_SECTIONS:
            found = self.section(title)
            if found:
                try:
                    return json.loads(found)
                except ValueError:
                    return None
        return None

    @property
    def url(self) -> str:
        """The page's URL as the prompt states it, or ``""``."""
        match = re.search(r"^\s*URL: (\S+)", self.page or self.first_text, re.M)
        return match.group(1) if match else ""
