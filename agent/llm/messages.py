"""The messages of a model call, in the OpenAI format litellm takes, and their text.

A user message carries the prompt text and, for a vision model, the screenshot as a PNG
data URL; :func:`messages_text` is the prompt as written to a run's files.
"""

from __future__ import annotations

import base64
from typing import Any


def messages_text(messages: list[dict[str, Any]]) -> str:
    """The prompt as sent, readable; images are noted, not inlined."""
    parts = []
    for message in messages:
        content = message["content"]
        if isinstance(content, list):
            content = "\n".join(
                p.get("text", "") if p.get("type") == "text" else "[image]" for p in content
            )
        parts.append(f"--- {message['role']} ---\n{content}")
    return "\n".join(parts)


def user_message(text: str, screenshot: bytes | None = None) -> dict[str, Any]:
    """A user message with optional screenshot, in the OpenAI format litellm takes."""
    if screenshot is None:
        return {"role": "user", "content": text}
    data = base64.b64encode(screenshot).decode()
    return {
        "role": "user",
        "content": [
            {"type": "text", "text": text},
            {"type": "image_url", "image_url": {"url": f"data:image/png;base64,{data}"}},
        ],
    }
