"""An instant OpenAI-compatible chat-completions server on 127.0.0.1, for benchmarks.

``POST /v1/chat/completions`` hands the request body to an answer function and sends
its dict back as the assistant's JSON content, at once. Every request is kept (with the
``X-Bench-Task`` header the client sent and when it arrived), so a benchmark can count
calls and tokens, and time a client's first request.

    with StandInServer(answer) as server:
        ChatOpenAI(model="stand-in", base_url=server.base_url, api_key="none", ...)
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

TASK_HEADER = "X-Bench-Task"


@dataclass
class Served:
    """One request and the answer it got."""

    task: str
    body: dict[str, Any]
    answer: dict[str, Any]
    received: float = 0.0
    """``time.perf_counter()`` when the request arrived (the server runs in the caller's
    process, so a benchmark can compare it with when it spawned the client)."""


@dataclass
class StandInServer:
    """Answers chat completions with ``answer(body, memory)``; ``memory`` is a set per task."""

    answer: Callable[[dict[str, Any], set[str]], dict[str, Any]]
    served: list[Served] = field(default_factory=list)
    _memory: dict[str, set[str]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _httpd: ThreadingHTTPServer | None = None

    @property
    def base_url(self) -> str:
        assert self._httpd is not None, "start() first"
        return f"http://127.0.0.1:{self._httpd.server_address[1]}/v1"

    def for_task(self, task: str) -> list[Served]:
        return [s for s in self.served if s.task == task]

    def reset(self) -> None:
        with self._lock:
            self.served.clear()
            self._memory.clear()

    def _serve(self, task: str, body: dict[str, Any], received: float) -> dict[str, Any]:
        with self._lock:
            memory = self._memory.setdefault(task, set())
            answer = self.answer(body, memory)
            self.served.append(Served(task, body, answer, received))
        return {
            "id": f"chatcmpl-standin-{len(self.served)}",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": body.get("model", "stand-in"),
            "choices": [
                {
                    "index": 0,
                    "finish_reason": "stop",
                    "message": {"role": "assistant", "content": json.dumps(answer)},
                }
            ],
            "usage": {"prompt_tokens": 0, "completion_tokens": 0, "total_tokens": 0},
        }

    def start(self) -> StandInServer:
        server = self

        class _Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                received = time.perf_counter()
                length = int(self.headers.get("Content-Length") or 0)
                body = json.loads(self.rfile.read(length) or b"{}")
                try:
                    reply = server._serve(self.headers.get(TASK_HEADER, ""), body, received)
                    status = 200
                except Exception as exc:  # the client should see what went wrong
                    reply = {"error": {"message": f"{type(exc).__name__}: {exc}"}}
                    status = 500
                data = json.dumps(reply).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: Any) -> None:
                pass

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        threading.Thread(target=self._httpd.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None

    def __enter__(self) -> StandInServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
