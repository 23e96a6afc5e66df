"""Routes of the webhook and TOTP receiver site (see README.md)."""

from __future__ import annotations

import hashlib
import hmac
import threading
import time
from typing import Any

import pyotp

from fixtures_sites.server import FixtureServer, Request, Response

SIGNING_KEY = "fixture-webhook-signing-key-3b9d"
"""The key senders must sign with (``signing_key=`` / ``AGENT_WEBHOOK_KEY`` in tests)."""
FLAKY_FAILURES = 2


def signature_ok(request: Request) -> bool:
    """The receiver's own check: HMAC-SHA256 of the raw body, compared in constant time."""
    expected = hmac.new(SIGNING_KEY.encode(), request.body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, request.headers.get("x-skyvern-signature", ""))


def register(server: FixtureServer) -> None:
    state: dict[str, Any] = server.state.setdefault(
        "webhook_receiver",
        {"key": SIGNING_KEY, "received": [], "rejected": [], "calls": {}, "totp_requests": []},
    )

    lock = threading.Lock()  # the server answers on several threads

    def count(request: Request) -> int:
        key = (request.path, request.query.get("id", ""))
        with lock:
            state["calls"][key] = state["calls"].get(key, 0) + 1
            return int(state["calls"][key])

    def record(request: Request) -> Response:
        entry = {
            "path": request.path,
            "id": request.query.get("id", ""),
            "body": request.body,
            "payload": request.json() if request.body else None,
            "timestamp": request.headers.get("x-skyvern-timestamp"),
            "content_type": request.headers.get("content-type"),
        }
        if not signature_ok(request):
            state["rejected"].append(entry)
            return Response.json({"error": "bad signature"}, status=401)
        state["received"].append(entry)
        return Response.json({"ok": True})

    def ok(request: Request) -> Response:
        count(request)
        return record(request)

    def flaky(request: Request) -> Response:
        if count(request) <= FLAKY_FAILURES:
            return Response.json({"error": "try again later"}, status=503)
        return record(request)

    def busy(request: Request) -> Response:
        if count(request) == 1:
            response = Response.json({"error": "slow down"}, status=429)
            response.headers["Retry-After"] = "0"
            return response
        return record(request)

    def broken(request: Request) -> Response:
        count(request)
        return Response.page("Server error", "<h1>500 Internal Server Error</h1>", status=500)

    def broken_then_slow(request: Request) -> Response:
        if count(request) > 1:
            time.sleep(2.0)  # longer than the poller's deadline leaves the request
        return broken(request)

    def reject(request: Request) -> Response:
        count(request)
        return Response.json({"error": "unknown hook"}, status=400)

    def totp_code(request: Request) -> Response:
        if not signature_ok(request):
            return Response.json({"error": "bad signature"}, status=401)
        body = request.json()
        state["totp_requests"].append({"path": request.path, "body": body})
        if request.path == "/totp/empty":
            return Response.json({"verification_code": ""})
        task_id = body.get("task_id") if isinstance(body, dict) else None
        polls = sum(
            1
            for r in state["totp_requests"]
            if r["path"] == request.path
            and isinstance(r["body"], dict)
            and r["body"].get("task_id") == task_id
        )
        secret = server.state.get("totp_login", {}).get("secret")
        if secret is None or polls <= int(request.query.get("after", "0")):
            return Response.json({"verification_code": ""})
        return Response.json({"verification_code": pyotp.TOTP(secret).now()})

    server.route("POST", "/hooks/ok", ok)
    server.route("POST", "/hooks/flaky", flaky)
    server.route("POST", "/hooks/busy", busy)
    server.route("POST", "/hooks/broken", broken)
    server.route("POST", "/hooks/reject", reject)
    server.route("POST", "/totp/code", totp_code)
    server.route("POST", "/totp/empty", totp_code)
    server.route("POST", "/totp/broken", broken)
    server.route("POST", "/totp/broken-then-slow", broken_then_slow)
