"""Reading a model request the way a model does: from the messages' text only.

Used by this suite's messages-only stand-ins (the lead's ``agent.testing.PromptLLM``
does the same on main; these helpers keep the tests independent of the observation).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

_LINE = re.compile(r"^\s*\[(?P<id>[^\]]+)\]<(?P<tag>[\w-]+)(?P<attrs>[^>]*)>(?P<text>.*)$")
_ATTR = re.compile(r'(\w[\w-]*)(?:=("[^"]*"|\S+))?')


@dataclass
class Line:
    """One element line of the prompt: ``[12]<input type=text name=q>Search</input>``."""

    id: str
    tag: str
    attrs: dict[str, str] = field(default_factory=dict)
    text: str = ""


def text_of(request: Any) -> str:
    """All text parts of all messages, joined."""
    parts = []
    for message in request.messages:
        content = message["content"]
        if isinstance(content, list):
            parts += [p.get("text", "") for p in content if p.get("type") == "text"]
        else:
            parts.append(str(content))
    return "\n".join(parts)


def lines(request: Any) -> list[Line]:
    found = []
    for raw in text_of(request).splitlines():
        match = _LINE.match(raw)
        if not match:
            continue
        attrs = {k: (v or "true").strip('"') for k, v in _ATTR.findall(match["attrs"])}
        text = re.sub(r"</[\w-]+>\s*$", "", match["text"]).strip()
        found.append(Line(match["id"], match["tag"], attrs, text))
    return found


def find(request: Any, *, tag: str | None = None, text: str | None = None, **attrs: str) -> Line:
    """The first element line matching; fails the test when there is none."""
    for line in lines(request):
        if tag and line.tag != tag:
            continue
        if text and text.lower() not in line.text.lower():
            continue
        if all(line.attrs.get(k) == v for k, v in attrs.items()):
            return line
    raise AssertionError(f"no element {tag} {text} {attrs} in the prompt")


def section(request: Any, title: str) -> str | None:
    """The text under ``## title`` up to the next ``## `` heading, or None."""
    match = re.search(rf"^## {re.escape(title)}\n(.*?)(?=^## |\Z)", text_of(request), re.M | re.S)
    return match.group(1).strip() if match else None
