"""Provider prompt caching: the static system part marked cacheable, cached tokens read back.

Every purpose's messages begin with a static system part (:func:`engines.prompts.messages`),
the same bytes for every call of a run. OpenAI-style providers and local servers reuse a
repeated prefix by themselves; Anthropic, and Claude on Bedrock or Vertex AI, only where
``cache_control`` marks it (:func:`with_cache_control`). What the provider read from its
cache comes back in the usage (:func:`cached_tokens`) and is recorded on the step.
"""

from __future__ import annotations

from typing import Any

CACHE_MARKED_PROVIDERS = frozenset({"anthropic", "bedrock", "vertex_ai", "vertex_ai_beta"})
"""Providers that cache a prompt prefix only where ``cache_control`` marks it (through
litellm). OpenAI, DeepSeek, xAI and local servers cache repeated prefixes by themselves
and get no marker; Gemini's marker would create a paid context cache, so it gets none."""
CACHE_CONTROL = {"type": "ephemeral"}


def marks_cache(litellm: Any, model: str) -> bool:
    """Whether calls to ``model`` should carry ``cache_control`` on their static part.

    Anthropic's API always; Bedrock and Vertex AI for models litellm says cache prompts
    (Claude on either), since others there refuse or ignore the marker.
    """
    try:
        provider = str(litellm.get_llm_provider(model)[1])
    except Exception:  # unknown to litellm: send the messages as they are
        return False
    if provider not in CACHE_MARKED_PROVIDERS:
        return False
    if provider == "anthropic":
        return True
    try:
        return bool(litellm.supports_prompt_caching(model=model)) or "claude" in model.lower()
    except Exception:
        return "claude" in model.lower()


def with_cache_control(
    litellm: Any, model: str, messages: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """``messages`` with the leading system message marked cacheable, for providers that
    need the mark (:func:`marks_cache`); the same list for every other provider."""
    if not messages or messages[0].get("role") != "system" or not marks_cache(litellm, model):
        return messages
    content = messages[0].get("content")
    if isinstance(content, str):
        parts: list[Any] = [{"type": "text", "text": content}]
    elif isinstance(content, list) and content:
        parts = list(content)
    else:
        return messages
    parts[-1] = {**parts[-1], "cache_control": dict(CACHE_CONTROL)}
    return [{**messages[0], "content": parts}, *messages[1:]]


def cached_tokens(response: Any) -> int:
    """Input tokens the provider reports as read from its prompt cache (0 when it says none)."""
    usage = getattr(response, "usage", None)
    details = getattr(usage, "prompt_tokens_details", None)
    if isinstance(details, dict):
        return int(details.get("cached_tokens") or 0)
    return int(getattr(details, "cached_tokens", 0) or 0)
