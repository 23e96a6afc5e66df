"""An OpenAI-compatible endpoint on 127.0.0.1 that never helps: it hangs or rate-limits.

The library reaches it through litellm's real OpenAI path (``OPENAI_API_BASE``), so a
test sees what a cancel does to a model call in flight and to its retries: the
endpoint counts every request it gets.
"""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


class FakeOpenAI:
    """``mode="hang"``: requests wait (until :meth:`close`); ``mode="429"``: rate limited."""

    def __init__(self, mode: str) -> None:
        self.mode = mode
        self.requests = 0
        self.released = threading.Event()
        self._lock = threading.Lock()
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                self.rfile.read(int(self.headers.get("content-length") or 0))
                with outer._lock:
                    outer.requests += 1
                if outer.mode == "hang":
                    outer.released.wait(120)
                    self._answer(503, {"error": {"message": "gone", "type": "server_error"}})
                else:
                    self._answer(
                        429,
                        {"error": {"message": "Rate limit reached", "type": "rate_limit_error"}},
                        {"retry-after-ms": "100"},
                    )

            def _answer(
                self, status: int, body: Any, headers: dict[str, str] | None = None
            ) -> None:
                data = json.dumps(body).encode()
                try:
                    self.send_response(status)
                    self.send_header("content-type", "application/json")
                    self.send_header("content-length", str(len(data)))
                    for key, value in (headers or {}).items():
                        self.send_header(key, value)
                    self.end_headers()
                    self.wfile.write(data)
                except OSError:  # the client gave up (canceled): nothing to answer
                    pass

            def log_message(self, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}/v1"

    def count(self) -> int:
        with self._lock:
            return self.requests

    def close(self) -> None:
        self.released.set()
        self._server.shutdown()
        self._server.server_close()
