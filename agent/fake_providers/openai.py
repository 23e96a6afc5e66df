"""A fake OpenAI-compatible server: ``/v1/chat/completions`` and ``/v1/models``.

It speaks the chat-completions wire format as OpenAI, vLLM, LM Studio and most proxies
do: messages with text and ``image_url`` parts in, a ``chat.completion`` object with
``usage`` out, OpenAI's error shape for faults. Like OpenAI, it refuses JSON mode
(``response_format: {"type": "json_object"}``) when no message mentions JSON. Like OpenAI's
automatic prompt caching, a prompt that repeats the start of an earlier one reports the
repeated part as ``usage.prompt_tokens_details.cached_tokens``: from 1,024 tokens, in
steps of 128 (:meth:`FakeOpenAI.cached_tokens`).

    with FakeOpenAI(policy) as server:
        agent = Agent(**server.agent_kwargs(), data_dir=tmp_path)   # llm="openai/gpt-4o-mini"
"""

from __future__ import annotations

import itertools
import threading
import time
from collections.abc import Sequence
from typing import Any

from agent.fake_providers.base import (
    FakeProvider,
    Policy,
    ProviderCall,
    Reply,
    count_tokens,
    model_endpoint,
)
from agent.llm.prompt_reading import Prompt

_ids = itertools.count(1)
CACHE_MIN_TOKENS = 1024
"""The shortest prefix OpenAI caches."""
CACHE_STEP_TOKENS = 128
"""Cached prefixes are counted in steps of this many tokens."""
CACHE_PROMPTS = 64
"""How many earlier prompts the fake remembers as cached prefixes."""


class FakeOpenAI(FakeProvider):
    """An OpenAI-compatible chat-completions server on 127.0.0.1, answering from ``policy``.

    ``api_key``: when given, requests must carry ``Authorization: Bearer <api_key>``
    (else 401, as OpenAI answers a bad key). ``models``: what ``GET /v1/models`` lists.
    ``caching=False`` reports no cached tokens (to compare a run's cost without them).
    """

    default_model = "gpt-4o-mini"

    def __init__(
        self,
        policy: Policy,
        *,
        api_key: str = "sk-fake-provider",
        models: Sequence[str] = ("gpt-4o-mini",),
        max_lifetime: float = 1800.0,
        caching: bool = True,
    ) -> None:
        super().__init__(policy, max_lifetime=max_lifetime)
        self.api_key = api_key
        self.models = list(models)
        self.caching = caching
        self._seen: list[str] = []
        self._seen_lock = threading.Lock()

    def cached_tokens(self, text: str) -> int:
        """Tokens of ``text`` an earlier prompt already began with, as OpenAI reports them.

        The longest start ``text`` shares with a remembered prompt counts when it reaches
        :data:`CACHE_MIN_TOKENS`, rounded down to :data:`CACHE_STEP_TOKENS`; ``text`` is
        then remembered too.
        """
        with self._seen_lock:
            shared = max((_shared_start(text, seen) for seen in self._seen), default=0)
            self._seen = [*self._seen[-(CACHE_PROMPTS - 1) :], text]
        tokens = count_tokens(text[:shared]) if self.caching and shared else 0
        if tokens < CACHE_MIN_TOKENS:
            return 0
        return tokens // CACHE_STEP_TOKENS * CACHE_STEP_TOKENS

    @property
    def base_url(self) -> str:
        """The URL to give as ``llm_base_url`` / ``OPENAI_API_BASE``: ``http://127.0.0.1:<port>/v1``."""
        return self.url + "/v1"

    def agent_kwargs(self, model: str | None = None) -> dict[str, Any]:
        """``Agent(**server.agent_kwargs())``: litellm's OpenAI provider pointed at this server."""
        return {
            "llm": f"openai/{model or self.default_model}",
            "llm_base_url": self.base_url,
            "llm_options": {"api_key": self.api_key},
        }

    def routes(self) -> dict[tuple[str, str], Any]:
        chat = model_endpoint(self._chat, read=_messages)
        return {
            ("POST", "/v1/chat/completions"): chat,
            ("POST", "/chat/completions"): chat,
            ("GET", "/v1/models"): self._models,
            ("GET", "/models"): self._models,
        }

    def error_body(self, status: int, message: str) -> Any:
        kind = {401: "invalid_request_error", 429: "rate_limit_error"}.get(status, "server_error")
        if status == 400:
            kind = "invalid_request_error"
        return {"error": {"message": message, "type": kind, "param": None, "code": None}}

    def _unauthorized(self, call: ProviderCall) -> Reply | None:
        if self.api_key and call.headers.get("authorization") != f"Bearer {self.api_key}":
            message = "Incorrect API key provided. The fake provider expects its api_key."
            return Reply(self.error_body(401, message), status=401)
        return None

    def _models(self, call: ProviderCall) -> Reply:
        denied = self._unauthorized(call)
        if denied is not None:
            return denied
        data = [
            {"id": m, "object": "model", "created": 1_700_000_000, "owned_by": "fake-provider"}
            for m in self.models
        ]
        return Reply({"object": "list", "data": data})

    def _chat(self, call: ProviderCall) -> Reply:
        denied = self._unauthorized(call)
        if denied is not None:
            return denied
        body = call.body
        if not call.messages:
            return Reply(self.error_body(400, "'messages' must be a non-empty array"), 400)
        if body.get("stream"):
            return Reply(self.error_body(400, "the fake provider does not stream"), 400)
        text = Prompt("", call.messages).text
        if (body.get("response_format") or {}).get("type") == "json_object" and (
            "json" not in text.lower()
        ):
            message = (
                "'messages' must contain the word 'json' in some form, to use "
                "'response_format' of type 'json_object'."
            )
            return Reply(self.error_body(400, message), 400)
        content = self.answer(call)
        cached = call.cached_tokens = min(self.cached_tokens(text), call.prompt_tokens)
        return Reply(
            {
                "id": f"chatcmpl-fake{next(_ids)}",
                "object": "chat.completion",
                "created": int(time.time()),
                "model": call.model,
                "system_fingerprint": "fp_fake",
                "choices": [
                    {
                        "index": 0,
                        "message": {"role": "assistant", "content": content},
                        "finish_reason": "stop",
                        "logprobs": None,
                    }
                ],
                "usage": {
                    "prompt_tokens": call.prompt_tokens,
                    "completion_tokens": call.completion_tokens,
                    "total_tokens": call.prompt_tokens + call.completion_tokens,
                    "prompt_tokens_details": {"cached_tokens": cached},
                },
            }
        )


def _messages(body: Any) -> list[dict[str, Any]]:
    messages = body.get("messages") if isinstance(body, dict) else None
    return [dict(m) for m in messages] if isinstance(messages, list) else []


def _shared_start(text: str, other: str) -> int:
    """How many leading characters ``text`` and ``other`` have in common."""
    for index, (mine, theirs) in enumerate(zip(text, other, strict=False)):
        if mine != theirs:
            return index
    return min(len(text), len(other))
