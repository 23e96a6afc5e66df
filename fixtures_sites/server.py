"""A tiny HTTP server for the fixture sites, on 127.0.0.1 only.

Static files are served from this folder (``/jobs/apply.html`` is
``fixtures_sites/jobs/apply.html``; a folder serves its ``index.html``). Each site
may add dynamic routes in ``fixtures_sites/<site>/routes.py`` with a
``register(server)`` function that calls :meth:`FixtureServer.route`.

Every non-GET request is recorded in :attr:`FixtureServer.submissions`, so a test
can check what the page really sent. A POST with no route gets a small page
saying what was received.

The server listens on two ports, so pages can embed a cross-origin frame:
:meth:`url` gives the main origin and :meth:`alt_url` the second one.

    with FixtureServer() as server:
        page.goto(server.url("/jobs/apply.html"))
        ...
        assert server.submissions[-1].form["name"] == "Chris P Bacon"
"""

from __future__ import annotations

import email.parser
import email.policy
import html
import importlib.util
import json
import mimetypes
import sys
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from http import cookies
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

SITES_DIR = Path(__file__).resolve().parent


@dataclass
class UploadedFile:
    filename: str
    content: bytes
    content_type: str


@dataclass
class Request:
    """One request as a route handler and a test see it."""

    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: bytes
    form: dict[str, str] = field(default_factory=dict)
    form_lists: dict[str, list[str]] = field(default_factory=dict)
    files: dict[str, UploadedFile] = field(default_factory=dict)
    cookies: dict[str, str] = field(default_factory=dict)
    port: int = 0

    def json(self) -> Any:
        return json.loads(self.body or b"null")


@dataclass
class Response:
    """What a route handler returns."""

    body: str | bytes | Iterable[bytes] = b""
    """The content; an iterable of chunks is streamed (chunked unless Content-Length is set)."""
    status: int = 200
    content_type: str = "text/html; charset=utf-8"
    headers: dict[str, str] = field(default_factory=dict)
    set_cookies: dict[str, str] = field(default_factory=dict)

    @classmethod
    def redirect(cls, location: str, status: int = 303) -> Response:
        return cls(status=status, headers={"Location": location})

    @classmethod
    def json(cls, data: Any, status: int = 200) -> Response:
        return cls(json.dumps(data), status=status, content_type="application/json")

    @classmethod
    def page(cls, title: str, body_html: str, status: int = 200) -> Response:
        doc = (
            f"<!doctype html><html><head><meta charset='utf-8'><title>{html.escape(title)}"
            f"</title></head><body>{body_html}</body></html>"
        )
        return cls(doc, status=status)


Handler = Callable[[Request], Response]


class FixtureServer:
    """Serves ``fixtures_sites/`` on two loopback ports until stopped.

    ``max_lifetime`` (seconds) stops it on its own, so a forgotten server never
    outlives the test run or the demo.
    """

    def __init__(self, root: Path = SITES_DIR, *, max_lifetime: float = 3600.0) -> None:
        self.root = root
        self.max_lifetime = max_lifetime
        self.submissions: list[Request] = []
        self.requests: list[Request] = []
        self.state: dict[str, Any] = {}
        self._routes: dict[tuple[str, str], Handler] = {}
        self._servers: list[ThreadingHTTPServer] = []
        self._lock = threading.Lock()
        self._timer: threading.Timer | None = None

    # -- lifecycle -------------------------------------------------------------------------
    def start(self) -> FixtureServer:
        self._load_site_routes()
        for _ in range(2):
            httpd = ThreadingHTTPServer(("127.0.0.1", 0), _make_handler(self))
            httpd.daemon_threads = True
            threading.Thread(target=httpd.serve_forever, daemon=True).start()
            self._servers.append(httpd)
        self._timer = threading.Timer(self.max_lifetime, self.stop)
        self._timer.daemon = True
        self._timer.start()
        return self

    def stop(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
        for httpd in self._servers:
            httpd.shutdown()
            httpd.server_close()
        self._servers.clear()

    def __enter__(self) -> FixtureServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- addresses -------------------------------------------------------------------------
    @property
    def port(self) -> int:
        return self._servers[0].server_address[1]

    @property
    def alt_port(self) -> int:
        return self._servers[1].server_address[1]

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def alt_base_url(self) -> str:
        return f"http://127.0.0.1:{self.alt_port}"

    def url(self, path: str = "/") -> str:
        return self.base_url + ("" if path.startswith("/") else "/") + path

    def alt_url(self, path: str = "/") -> str:
        """The same site on the second port: another origin, for cross-origin frames."""
        return self.alt_base_url + ("" if path.startswith("/") else "/") + path

    # -- routes ----------------------------------------------------------------------------
    def route(self, method: str, path: str, handler: Handler) -> None:
        """Answer ``method path`` with ``handler(request)`` instead of a static file."""
        self._routes[(method.upper(), path)] = handler

    def submissions_to(self, path: str) -> list[Request]:
        return [r for r in self.submissions if r.path == path]

    def wait_for_submission(self, path: str, timeout: float = 5.0) -> Request:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = self.submissions_to(path)
            if found:
                return found[-1]
            time.sleep(0.02)
        raise TimeoutError(f"no request to {path} within {timeout}s")

    def _load_site_routes(self) -> None:
        for routes_file in sorted(self.root.glob("*/routes.py")):
            name = f"_fixture_routes_{routes_file.parent.name}"
            spec = importlib.util.spec_from_file_location(name, routes_file)
            assert spec is not None and spec.loader is not None
            module = importlib.util.module_from_spec(spec)
            sys.modules[name] = module  # dataclasses and pickling look modules up by name
            spec.loader.exec_module(module)
            module.register(self)

    # -- dispatch --------------------------------------------------------------------------
    def _dispatch(self, request: Request) -> Response:
        with self._lock:
            self.requests.append(request)
            if request.method != "GET":
                self.submissions.append(request)
        handler = self._routes.get((request.method, request.path))
        if handler is not None:
            return handler(request)
        if request.method == "GET":
            return self._static(request.path)
        fields = "".join(  # every value of a repeated field, as a real echo page shows
            f"<li>{html.escape(k)}: {html.escape(', '.join(request.form_lists.get(k) or [v]))}</li>"
            for k, v in request.form.items()
        ) + "".join(
            f"<li>{html.escape(k)}: file {html.escape(f.filename)} ({len(f.content)} bytes)</li>"
            for k, f in request.files.items()
        )
        return Response.page("Received", f"<h1>Received</h1><ul>{fields}</ul>")

    def _static(self, path: str) -> Response:
        target = (self.root / path.lstrip("/")).resolve()
        if not target.is_relative_to(self.root):
            return Response.page("Forbidden", "<h1>403</h1>", status=403)
        if target.is_dir():
            target = target / "index.html"
        if not target.is_file() or target.suffix == ".py":
            return Response.page("Not found", "<h1>404 Not found</h1>", status=404)
        ctype = mimetypes.guess_type(target.name)[0] or "application/octet-stream"
        if ctype.startswith("text/") or ctype in ("application/javascript", "application/json"):
            ctype += "; charset=utf-8"
        return Response(target.read_bytes(), content_type=ctype)


def _parse_body(request: Request) -> None:
    ctype = request.headers.get("content-type", "")
    if ctype.startswith("application/x-www-form-urlencoded"):
        lists = parse_qs(request.body.decode("utf-8", "replace"), keep_blank_values=True)
        request.form_lists = lists
        request.form = {k: v[-1] for k, v in lists.items()}
    elif ctype.startswith("multipart/form-data"):
        raw = f"Content-Type: {ctype}\r\n\r\n".encode() + request.body
        message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(raw)
        for part in message.iter_parts():
            name = part.get_param("name", header="content-disposition")
            if not name:
                continue
            payload = part.get_payload(decode=True)
            if not isinstance(payload, bytes):  # None: an empty part
                payload = b""
            filename = part.get_filename()
            if filename is not None:
                request.files[str(name)] = UploadedFile(filename, payload, part.get_content_type())
            else:
                value = payload.decode("utf-8", "replace")
                request.form_lists.setdefault(str(name), []).append(value)
                request.form[str(name)] = value


def _make_handler(server: FixtureServer) -> type[BaseHTTPRequestHandler]:
    class _Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:  # quiet in tests
            pass

        def _handle(self) -> None:
            parts = urlsplit(self.path)
            length = int(self.headers.get("content-length") or 0)
            body = self.rfile.read(length) if length else b""
            jar = cookies.SimpleCookie(self.headers.get("cookie", ""))
            address = self.server.server_address
            assert isinstance(address, tuple)  # an HTTPServer's (host, port)
            request = Request(
                method=self.command,
                path=parts.path,
                query={k: v[-1] for k, v in parse_qs(parts.query).items()},
                headers={k.lower(): v for k, v in self.headers.items()},
                body=body,
                cookies={k: m.value for k, m in jar.items()},
                port=address[1],
            )
            _parse_body(request)
            try:
                response = server._dispatch(request)
            except Exception as exc:  # a broken fixture route must show up in the test
                response = Response.page("Error", f"<pre>{html.escape(repr(exc))}</pre>", 500)
            if not isinstance(response.body, str | bytes):
                self._stream(response, response.body)
                return
            payload = response.body.encode() if isinstance(response.body, str) else response.body
            self.send_response(response.status)
            self.send_header("Content-Type", response.content_type)
            self.send_header("Content-Length", str(len(payload)))
            self.send_header("Cache-Control", "no-store")
            for key, value in response.headers.items():
                self.send_header(key, value)
            for key, value in response.set_cookies.items():
                self.send_header("Set-Cookie", f"{key}={value}; Path=/")
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(payload)

        def _stream(self, response: Response, chunks: Iterable[bytes]) -> None:
            chunked = "Content-Length" not in response.headers
            self.send_response(response.status)
            self.send_header("Content-Type", response.content_type)
            self.send_header("Cache-Control", "no-store")
            if chunked:
                self.send_header("Transfer-Encoding", "chunked")
            for key, value in response.headers.items():
                self.send_header(key, value)
            self.end_headers()
            try:
                for chunk in chunks:
                    self.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk) if chunked else chunk)
                if chunked:
                    self.wfile.write(b"0\r\n\r\n")
            except OSError:  # the client stopped reading (a canceled download)
                self.close_connection = True

        do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = _handle

    return _Handler


def main() -> None:
    """``python -m fixtures_sites.server``: serve the sites until Ctrl-C (at most an hour)."""
    with FixtureServer() as server:
        print(f"fixture sites at {server.base_url}/ (second origin {server.alt_base_url}/)")
        try:
            while server._servers:
                time.sleep(0.5)
        except KeyboardInterrupt:
            pass


if __name__ == "__main__":
    main()
