"""A recording HTTP forward proxy on 127.0.0.1, for tests of the proxy wiring.

It records every request line it receives (``"GET http://127.0.0.1:8000/x HTTP/1.1"``)
and forwards plain-HTTP requests to loopback targets only; anything else gets 403, and
``CONNECT`` (HTTPS tunnels) gets 405. With ``auth=("user", "pw")`` it demands
``Proxy-Authorization: Basic ...`` first (407), the way a real authenticated proxy does.

    with RecordingProxy() as proxy:
        browser = await launch_chromium(pw, proxy={"server": proxy.url})
        ...
        assert any("/invoices/" in line for line in proxy.request_lines)
"""

from __future__ import annotations

import base64
import http.client
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

from typing_extensions import Self

LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})
HOP_BY_HOP = frozenset(
    {
        "connection",
        "keep-alive",
        "proxy-authenticate",
        "proxy-authorization",
        "proxy-connection",
        "te",
        "trailer",
        "transfer-encoding",
        "upgrade",
    }
)


class RecordingProxy:
    """A forward proxy that records request lines; a context manager."""

    def __init__(self, *, auth: tuple[str, str] | None = None) -> None:
        self.auth = auth
        self.request_lines: list[str] = []
        self.authorized: list[bool] = []
        self._lock = threading.Lock()
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), _make_handler(self))
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        """``http://127.0.0.1:<port>``, without credentials."""
        return f"http://127.0.0.1:{self._httpd.server_address[1]}"

    def url_with_auth(self) -> str:
        """The proxy URL with the expected credentials in it."""
        assert self.auth is not None
        user, password = self.auth
        return f"http://{user}:{password}@127.0.0.1:{self._httpd.server_address[1]}"

    def __enter__(self) -> Self:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()

    def _record(self, line: str, authorized: bool) -> None:
        with self._lock:
            self.request_lines.append(line)
            self.authorized.append(authorized)

    def _is_authorized(self, header: str | None) -> bool:
        if self.auth is None:
            return True
        expected = base64.b64encode(":".join(self.auth).encode()).decode()
        return header == f"Basic {expected}"


def _make_handler(proxy: RecordingProxy) -> type[BaseHTTPRequestHandler]:
    class _Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.0"  # one request per connection keeps forwarding simple

        def log_message(self, format: str, *args: Any) -> None:
            pass

        def _reply(self, status: int, message: str, headers: dict[str, str] | None = None) -> None:
            body = message.encode()
            self.send_response(status)
            for key, value in (headers or {}).items():
                self.send_header(key, value)
            self.send_header("Content-Type", "text/plain")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def _forward(self) -> None:
            authorized = proxy._is_authorized(self.headers.get("proxy-authorization"))
            proxy._record(self.requestline, authorized)
            if not authorized:
                self._reply(407, "proxy auth required", {"Proxy-Authenticate": 'Basic realm="t"'})
                return
            if self.command == "CONNECT":
                self._reply(405, "tunnels are not supported")
                return
            target = urlsplit(self.path)
            if target.scheme != "http" or target.hostname not in LOOPBACK_HOSTS:
                self._reply(403, "only plain-HTTP loopback targets")
                return
            length = int(self.headers.get("content-length") or 0)
            body = self.rfile.read(length) if length else None
            headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP_BY_HOP}
            path = target.path or "/"
            if target.query:
                path += "?" + target.query
            conn = http.client.HTTPConnection(target.hostname, target.port or 80, timeout=10)
            try:
                conn.request(self.command, path, body=body, headers=headers)
                upstream = conn.getresponse()
                payload = upstream.read()
                self.send_response(upstream.status, upstream.reason)
                for key, value in upstream.getheaders():
                    if key.lower() not in HOP_BY_HOP and key.lower() != "content-length":
                        self.send_header(key, value)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)
            except OSError as exc:
                self._reply(502, f"upstream failed: {exc}")
            finally:
                conn.close()

        do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = do_CONNECT = _forward

    return _Handler
