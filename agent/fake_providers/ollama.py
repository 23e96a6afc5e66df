"""A fake Ollama server: ``/api/chat``, ``/api/generate``, ``/api/tags``, ``/api/show``.

Requests and answers have Ollama's shapes: messages whose ``images`` are a list of
base64 strings, ``format: "json"`` for JSON mode, token counts reported as
``prompt_eval_count`` and ``eval_count``, ``{"error": "..."}`` on failure, a 404 for a
model that is not pulled. ``"stream": true`` is answered as NDJSON, like Ollama.

    with FakeOllama(policy) as server:
        agent = Agent(**server.agent_kwargs(), data_dir=tmp_path)   # ollama_chat/llama3.1
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from agent.fake_providers.base import (
    FakeProvider,
    Policy,
    ProviderCall,
    Reply,
    model_endpoint,
    now_iso,
)


class FakeOllama(FakeProvider):
    """An Ollama-compatible server on 127.0.0.1, answering from ``policy``.

    ``models``: the models "pulled" (others get Ollama's 404); ``vision``: whether
    ``/api/show`` lists the vision capability.
    """

    default_model = "llama3.1"

    def __init__(
        self,
        policy: Policy,
        *,
        models: Sequence[str] = ("llama3.1",),
        vision: bool = False,
        max_lifetime: float = 1800.0,
    ) -> None:
        super().__init__(policy, max_lifetime=max_lifetime)
        self.models = [m.removesuffix(":latest") for m in models]
        self.vision = vision

    @property
    def base_url(self) -> str:
        """The URL to give as ``llm_base_url`` / ``OLLAMA_API_BASE``."""
        return self.url

    def agent_kwargs(
        self, model: str | None = None, *, provider: str = "ollama_chat"
    ) -> dict[str, Any]:
        """``Agent(**server.agent_kwargs())``: litellm's Ollama provider pointed at this server.

        ``provider="ollama"`` uses ``/api/generate`` instead of ``/api/chat``.
        """
        return {"llm": f"{provider}/{model or self.default_model}", "llm_base_url": self.base_url}

    def routes(self) -> dict[tuple[str, str], Any]:
        return {
            ("POST", "/api/chat"): model_endpoint(self._chat, read=_chat_messages),
            ("POST", "/api/generate"): model_endpoint(self._generate, read=_generate_messages),
            ("GET", "/api/tags"): self._tags,
            ("POST", "/api/show"): self._show,
            ("GET", "/api/version"): lambda call: Reply({"version": "0.6.0"}),
            ("GET", "/"): lambda call: Reply("Ollama is running", content_type="text/plain"),
        }

    def error_body(self, status: int, message: str) -> Any:
        return {"error": message}

    def _missing(self, call: ProviderCall) -> Reply | None:
        body = call.body if isinstance(call.body, dict) else {}
        call.model = str(body.get("model") or body.get("name") or "")
        if call.model.removesuffix(":latest") not in self.models:
            message = f'model "{call.model}" not found, try pulling it first'
            return Reply(self.error_body(404, message), status=404)
        return None

    def _chat(self, call: ProviderCall) -> Reply:
        missing = self._missing(call)
        if missing is not None:
            return missing
        content = self.answer(call)
        return self._reply(call, {"message": {"role": "assistant", "content": content}})

    def _generate(self, call: ProviderCall) -> Reply:
        missing = self._missing(call)
        if missing is not None:
            return missing
        content = self.answer(call)
        return self._reply(call, {"response": content, "context": [1, 2, 3]})

    def _reply(self, call: ProviderCall, answer: dict[str, Any]) -> Reply:
        done = {
            "model": call.model,
            "created_at": now_iso(),
            "done": True,
            "done_reason": "stop",
            "total_duration": 1_000_000,
            "load_duration": 100_000,
            "prompt_eval_count": call.prompt_tokens,
            "prompt_eval_duration": 400_000,
            "eval_count": call.completion_tokens,
            "eval_duration": 500_000,
        }
        if not call.body.get("stream"):
            return Reply({**done, **answer})
        first = {"model": call.model, "created_at": now_iso(), "done": False, **answer}
        empty = {k: ("" if isinstance(v, str) else v) for k, v in answer.items()}
        if "message" in answer:
            empty = {"message": {"role": "assistant", "content": ""}}
        return Reply(stream=[first, {**done, **empty}])

    def _tags(self, call: ProviderCall) -> Reply:
        return Reply({"models": [self._model_entry(m) for m in self.models]})

    def _show(self, call: ProviderCall) -> Reply:
        missing = self._missing(call)
        if missing is not None:
            return missing
        capabilities = ["completion", "tools"] + (["vision"] if self.vision else [])
        return Reply(
            {
                "modelfile": f"FROM {call.model}",
                "parameters": "",
                "template": "{{ .Prompt }}",
                "details": _details(),
                "model_info": {"general.architecture": "llama", "llama.context_length": 131072},
                "capabilities": capabilities,
            }
        )

    def _model_entry(self, name: str) -> dict[str, Any]:
        return {
            "name": f"{name}:latest",
            "model": f"{name}:latest",
            "modified_at": now_iso(),
            "size": 4_920_753_328,
            "digest": "fake" + "0" * 60,
            "details": _details(),
        }


def _details() -> dict[str, Any]:
    return {
        "format": "gguf",
        "family": "llama",
        "parameter_size": "8.0B",
        "quantization_level": "Q4_K_M",
    }


def _openai_message(message: dict[str, Any]) -> dict[str, Any]:
    """An Ollama message (``content`` + base64 ``images``) in OpenAI chat form."""
    images = message.get("images") or []
    content = message.get("content") or ""
    if not images:
        return {"role": message.get("role", "user"), "content": content}
    parts: list[dict[str, Any]] = [{"type": "text", "text": content}]
    for image in images:
        url = image if str(image).startswith("data:") else f"data:image/png;base64,{image}"
        parts.append({"type": "image_url", "image_url": {"url": url}})
    return {"role": message.get("role", "user"), "content": parts}


def _chat_messages(body: Any) -> list[dict[str, Any]]:
    return [_openai_message(m) for m in body.get("messages") or []]


_TURN = re.compile(r"^### (User|Assistant|System):\n", re.M)


def _generate_messages(body: Any) -> list[dict[str, Any]]:
    """``/api/generate``'s one prompt back into turns (litellm writes ``### User:`` heads)."""
    prompt = str(body.get("prompt") or "")
    heads = list(_TURN.finditer(prompt))
    if not heads:
        turns = [{"role": "user", "content": prompt}]
    else:
        turns = [
            {
                "role": head.group(1).lower(),
                "content": prompt[
                    head.end() : heads[i + 1].start() if i + 1 < len(heads) else None
                ].strip(),
            }
            for i, head in enumerate(heads)
        ]
    if body.get("system"):
        turns.insert(0, {"role": "system", "content": body["system"]})
    users = [t for t in turns if t["role"] == "user"]
    if body.get("images") and users:  # the pictures go with the first question
        users[0].update(_openai_message({**users[0], "images": body["images"]}))
    return turns
