"""Reading a prompt the way a model does: only the text of the messages it is sent.

The end-to-end hard-case tests decide from this alone (never from the structured
observation), so what they find is what the render really shows.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from agent.llm import LLMRequest

_ELEMENT = re.compile(r"^\s*\[([\w-]+)\]<(\w+)([^>]*)>(.*?)(?:</\w+>)?\s*$")
_ATTR = re.compile(r'([\w-]+)(?:=("[^"]*"|\S+))?')


@dataclass
class Line:
    """One element line of the render: ``[12]<button type=submit>Send</button>``."""

    id: str
    tag: str
    text: str
    attrs: dict[str, str] = field(default_factory=dict)


def prompt_text(request: LLMRequest) -> str:
    """All text parts of all messages, joined."""
    parts: list[str] = []
    for message in request.messages:
        content: Any = message.get("content")
        if isinstance(content, str):
            parts.append(content)
        elif isinstance(content, list):
            parts.extend(p.get("text", "") for p in content if p.get("type") == "text")
    return "\n".join(parts)


def element_lines(text: str) -> list[Line]:
    """The element lines in ``text``, in order."""
    lines = []
    for raw in text.splitlines():
        match = _ELEMENT.match(raw)
        if not match:
            continue
        attrs = {k: (v or "true").strip('"') for k, v in _ATTR.findall(match.group(3))}
        lines.append(Line(match.group(1), match.group(2), match.group(4).strip(), attrs))
    return lines


def find(text: str, *, tag: str | None = None, name: str | None = None, **attrs: str) -> Line:
    """The first element line with this tag, a text containing ``name`` and these attributes."""
    for line in element_lines(text):
        if tag and line.tag != tag:
            continue
        if name and name.lower() not in line.text.lower():
            continue
        if all(line.attrs.get(k) == v for k, v in attrs.items()):
            return line
    raise AssertionError(f"no element {tag or ''} {name or ''} {attrs} in the prompt:\n{text}")


def has(text: str, **query: Any) -> bool:
    """Whether :func:`find` would find such an element."""
    try:
        find(text, **query)
    except AssertionError:
        return False
    return True
