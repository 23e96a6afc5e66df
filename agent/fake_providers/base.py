"""What every fake provider shares: a loopback HTTP server, a policy, records and faults.

A subclass maps its wire format to and from OpenAI-style messages (:meth:`routes`); this
class answers through the policy, counts tokens, applies injected faults and records
each call. The server listens on ``127.0.0.1`` on a free port, serves each request on its
own thread, and stops itself after ``max_lifetime`` seconds if nobody stops it first.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

from agent.fake_providers.faults import Fault, FaultQueue
from agent.llm.doubles import POLICY_ERROR_MARK, describe_policy_error
from agent.llm.prompt_reading import Prompt, purpose_of

Policy = Callable[[Prompt], Any]
"""``fn(prompt) -> dict | list | str``: the model's answer (a dict or list is sent as JSON).

``prompt`` is an :class:`agent.llm.prompt_reading.Prompt` (as for ``agent.testing.stand_ins.PromptLLM``),
its purpose told from the text, since none is sent over HTTP."""

IMAGE_TOKENS = 85
"""Tokens counted per image (OpenAI's price for a low-detail image)."""


@dataclass
class ProviderCall:
    """One request a fake provider received, and what it answered."""

    method: str
    path: str
    headers: dict[str, str]
    body: Any
    """The request body, parsed from JSON (the raw text if it was not JSON)."""
    model: str = ""
    is_model_call: bool = False
    """Whether this went to a model endpoint (chat, completions, generate)."""
    purpose: str = ""
    """Told from the prompt text, as a model would (model calls only)."""
    messages: list[dict[str, Any]] = field(default_factory=list)
    """The messages in OpenAI chat form (converted from the wire format)."""
    answer: str | None = None
    """The content the model answered (None when a fault answered instead)."""
    prompt_tokens: int = 0
    """Input tokens the server reported (its ``usage`` / ``prompt_eval_count``)."""
    completion_tokens: int = 0
    """Output tokens the server reported (its ``usage`` / ``eval_count``)."""
    cached_tokens: int = 0
    """Of ``prompt_tokens``, those the server reported read from its prompt cache."""
    fault: str | None = None
    """The kind of the fault injected into this call, if any."""
    status: int = 200
    received_at: float = field(default_factory=time.monotonic)
    """``time.monotonic()`` when the request arrived."""
    injected: Fault | None = field(default=None, repr=False)


@dataclass
class Reply:
    """What a route hands back to the HTTP layer."""

    body: Any = None
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    content_type: str = "application/json"
    stream: list[Any] | None = None
    """Lines of an NDJSON stream (Ollama with ``"stream": true``)."""


Route = Callable[[ProviderCall], Reply]


def count_tokens(text: str) -> int:
    """Tokens in ``text`` by litellm's offline tokenizer, as a real model would count."""
    from agent.records.config import quiet_litellm_env

    quiet_litellm_env()
    import litellm

    return int(litellm.token_counter(model="gpt-4o", text=text)) if text else 0


class FakeProvider:
    """Base of :class:`FakeOpenAI` and :class:`FakeOllama`; use one as a context manager."""

    default_model = "model"

    def __init__(self, policy: Policy, *, max_lifetime: float = 1800.0) -> None:
        self.policy = policy
        self.max_lifetime = max_lifetime
        self.calls: list[ProviderCall] = []
        self.faults = FaultQueue()
        self._lock = threading.Lock()
        self._stopped = threading.Event()
        self._httpd: ThreadingHTTPServer | None = None
        self._timer: threading.Timer | None = None

    # -- lifecycle ---------------------------------------------------------------------------
    def start(self) -> FakeProvider:
        """Listen on a free port of 127.0.0.1 (idempotent)."""
        if self._httpd is None:
            self._stopped.clear()
            httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
            httpd.daemon_threads = True
            threading.Thread(target=httpd.serve_forever, daemon=True).start()
            self._httpd = httpd
            self._timer = threading.Timer(self.max_lifetime, self.stop)
            self._timer.daemon = True
            self._timer.start()
        return self

    def stop(self) -> None:
        """Stop listening; calls left hanging by a fault are released (idempotent)."""
        self._stopped.set()
        if self._timer is not None:
            self._timer.cancel()
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None

    def __enter__(self) -> FakeProvider:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def url(self) -> str:
        """``http://127.0.0.1:<port>``."""
        if self._httpd is None:
            raise RuntimeError("the fake provider is not running: call start() or use `with`")
        return f"http://127.0.0.1:{self._httpd.server_address[1]}"

    # -- what tests use ----------------------------------------------------------------------
    def inject(self, fault: Fault) -> None:
        """Make the next model call(s) go wrong this way (see :class:`Fault`)."""
        self.faults.add(fault)

    def model_calls(self) -> list[ProviderCall]:
        """The calls to a model endpoint (chat, completions, generate), in order."""
        return [c for c in self.calls if c.is_model_call]

    def calls_for(self, purpose: str) -> list[ProviderCall]:
        return [c for c in self.model_calls() if c.purpose == purpose]

    def reported_tokens(self) -> tuple[int, int]:
        """Input and output tokens the server reported over all calls."""
        calls = self.model_calls()
        return sum(c.prompt_tokens for c in calls), sum(c.completion_tokens for c in calls)

    def reset(self) -> None:
        """Forget recorded calls and pending faults."""
        with self._lock:
            self.calls.clear()
        self.faults.clear()

    # -- for subclasses ----------------------------------------------------------------------
    def routes(self) -> dict[tuple[str, str], Route]:
        raise NotImplementedError

    def error_body(self, status: int, message: str) -> Any:
        """The provider's JSON error shape."""
        raise NotImplementedError

    def answer(self, call: ProviderCall) -> str:
        """Ask the policy; return the content text and record the usage to report."""
        prompt = Prompt(call.purpose, call.messages)
        text = self._policy_text(call, prompt)
        call.answer = text
        call.prompt_tokens = count_tokens(prompt.text) + IMAGE_TOKENS * len(prompt.images)
        call.completion_tokens = count_tokens(text)
        return text

    def _policy_text(self, call: ProviderCall, prompt: Prompt) -> str:
        fault = call.injected
        if fault is not None and fault.kind in ("wrong_keys", "prose"):
            reply = fault.answer
        else:
            try:
                reply = self.policy(prompt)
            except Exception as exc:  # marked, so the run reports the policy, not the model
                name = getattr(self.policy, "__name__", "policy")
                raise PolicyError(
                    POLICY_ERROR_MARK + describe_policy_error(name, prompt.purpose, exc)
                ) from exc
        return reply if isinstance(reply, str) else json.dumps(reply)

    # -- the HTTP layer ----------------------------------------------------------------------
    def _serve(self, handler: BaseHTTPRequestHandler) -> None:
        path = urlsplit(handler.path).path.rstrip("/") or "/"
        length = int(handler.headers.get("Content-Length") or 0)
        raw = handler.rfile.read(length) if length else b""
        try:
            body: Any = json.loads(raw) if raw else None
        except ValueError:
            body = raw.decode("utf-8", "replace")
        call = ProviderCall(
            handler.command, path, {k.lower(): v for k, v in handler.headers.items()}, body
        )
        with self._lock:
            self.calls.append(call)
        route = self.routes().get((handler.command, path))
        reply: Reply | None
        if route is None:
            reply = Reply(self.error_body(404, f"no route {handler.command} {path}"), status=404)
        else:
            try:
                reply = self._run_route(route, call, handler)
            except Exception as exc:  # a bug here must reach the client as words, not a drop
                reply = Reply(self.error_body(500, f"fake provider error: {exc!r}"), status=500)
            if reply is None:  # the connection was dropped or left hanging on purpose
                return
        call.status = reply.status
        _write(handler, reply)

    def _run_route(
        self, route: Route, call: ProviderCall, handler: BaseHTTPRequestHandler
    ) -> Reply | None:
        fault = None
        if isinstance(route, model_endpoint):
            call.is_model_call = True
            call.model = str(call.body.get("model", "")) if isinstance(call.body, dict) else ""
            try:
                call.messages = route.read(call.body)
            except (AttributeError, KeyError, TypeError) as exc:
                return Reply(self.error_body(400, f"malformed request body: {exc}"), status=400)
            call.purpose = purpose_of(Prompt("", call.messages).first_text)
            fault = self.faults.take()
        if fault is not None:
            call.fault, call.injected = fault.kind, fault
            if fault.kind == "status":
                headers = (
                    {} if fault.retry_after is None else {"Retry-After": f"{fault.retry_after:g}"}
                )
                call.status = fault.status
                return Reply(
                    self.error_body(fault.status, _reason(fault.status)), fault.status, headers
                )
            if fault.kind == "drop":
                handler.close_connection = True
                handler.connection.shutdown(socket.SHUT_RDWR)
                return None
            if fault.kind == "hang":
                self._stopped.wait(fault.seconds)
                handler.close_connection = True
                return None
            if fault.kind == "not_json":
                page = "<html><body><h1>502 Bad Gateway</h1></body></html>"
                return Reply(page, 200, content_type="text/html")
        try:
            return route(call)
        except PolicyError as exc:
            return Reply(self.error_body(400, str(exc)), status=400)


class PolicyError(Exception):
    """The policy raised; answered as a 400 naming the error, so the run says what happened."""


def _reason(status: int) -> str:
    from http import HTTPStatus

    try:
        return f"{status} {HTTPStatus(status).phrase} (injected by the fake provider)"
    except ValueError:
        return f"{status} (injected by the fake provider)"


@dataclass(frozen=True)
class model_endpoint:
    """A route that is a model call: injected faults apply to it.

    ``read`` turns the request body into OpenAI-style messages before the route runs, so
    the purpose is known (and recorded) even for a call a fault answers.
    """

    route: Route
    read: Callable[[Any], list[dict[str, Any]]]

    def __call__(self, call: ProviderCall) -> Reply:
        return self.route(call)


def _write(handler: BaseHTTPRequestHandler, reply: Reply) -> None:
    if reply.stream is not None:
        payload = b"".join(json.dumps(line).encode() + b"\n" for line in reply.stream)
        content_type = "application/x-ndjson"
    elif isinstance(reply.body, str) and reply.content_type != "application/json":
        payload, content_type = reply.body.encode(), reply.content_type
    else:
        payload, content_type = json.dumps(reply.body).encode(), "application/json"
    handler.send_response(reply.status)
    handler.send_header("Content-Type", content_type)
    handler.send_header("Content-Length", str(len(payload)))
    for name, value in reply.headers.items():
        handler.send_header(name, value)
    handler.end_headers()
    try:
        handler.wfile.write(payload)
    except (BrokenPipeError, ConnectionResetError):  # the client gave up (its timeout)
        handler.close_connection = True


def _handler_for(provider: FakeProvider) -> type[BaseHTTPRequestHandler]:
    class _Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:
            provider._serve(self)

        do_POST = do_GET

        def log_message(self, format: str, *args: Any) -> None:  # tests read calls, not logs
            pass

    return _Handler


def now_iso() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S.000000Z", time.gmtime())
