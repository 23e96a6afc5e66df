"""Reading JSON out of what a model wrote: fences, prose around it, a cut tail, bounds.

:func:`parse_json` raises ``ValueError`` with words the re-ask can quote; an answer too
long or nested too deep is such an error (a misfit), never a crash.
"""

from __future__ import annotations

import ast
import json
import re
from typing import Any

_FENCE = re.compile(r"```(?:json|JSON)?\s*(.*?)```", re.S)


def parse_json(text: str) -> Any:
    """Parse a model's JSON answer, tolerating what models commonly wrap around it.

    >>> parse_json('Sure! ```json\\n{"a": 1,}\\n``` hope that helps')
    {'a': 1}
    """
    if not text or not text.strip():
        raise ValueError("the answer was empty")
    if len(text) > MAX_ANSWER_CHARS:
        raise ValueError(
            f"the answer was {len(text):,} characters long, over the {MAX_ANSWER_CHARS:,} "
            "an answer may have; answer with the JSON object alone"
        )
    candidates = [m.group(1) for m in _FENCE.finditer(text)] + [text]
    last_error = "no JSON object found"
    for candidate in candidates:
        chunk = _outermost(candidate)
        if chunk is None:
            continue
        for attempt in (chunk, _repair(chunk)):
            try:
                return json.loads(attempt)
            except ValueError as exc:
                last_error = f"{exc.__class__.__name__}: {exc}"
            except RecursionError:  # deeper than _outermost measures (it cannot be, but)
                raise ValueError(_too_deep(MAX_ANSWER_DEPTH)) from None
        try:
            return ast.literal_eval(_repair(chunk))  # Python-style True/None/'quotes'
        except (ValueError, SyntaxError, RecursionError, MemoryError):
            pass
    raise ValueError(last_error)


MAX_ANSWER_CHARS = 1_000_000
"""The longest answer :func:`parse_json` reads; a longer one is a misfit (re-asked)."""
MAX_ANSWER_DEPTH = 100
"""The deepest nesting of ``{``/``[`` :func:`parse_json` reads; deeper is a misfit."""


def _too_deep(depth: int) -> str:
    return (
        f"the JSON nests {depth:,} or more levels deep (at most {MAX_ANSWER_DEPTH} are read); "
        "answer with the flat object the instructions show"
    )


def _outermost(text: str) -> str | None:
    """The first JSON object or array in ``text``, closed if the tail was cut off."""
    start = min((i for i in (text.find("{"), text.find("[")) if i >= 0), default=-1)
    if start < 0:
        return None
    stack: list[str] = []
    in_string = escaped = False
    for index in range(start, len(text)):
        char = text[index]
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
            continue
        if char == '"':
            in_string = True
        elif char in "{[":
            stack.append("}" if char == "{" else "]")
            if len(stack) > MAX_ANSWER_DEPTH:
                raise ValueError(_too_deep(len(stack)))
        elif char in "}]":
            if not stack:
                return text[start:index]
            stack.pop()
            if not stack:
                return text[start : index + 1]
    # truncated: close what is open
    tail = text[start:]
    if in_string:
        tail += '"'
    return tail + "".join(reversed(stack))


def _repair(chunk: str) -> str:
    chunk = re.sub(r",\s*([}\]])", r"\1", chunk)  # trailing commas
    chunk = re.sub(r"//[^\n\"]*\n", "\n", chunk)  # line comments outside strings (best effort)
    return chunk
