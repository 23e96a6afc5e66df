"""Faults: GET /faults/late.js is a script whose body comes a minute late (see README.md)."""

from __future__ import annotations

import time
from collections.abc import Iterator

from fixtures_sites.server import FixtureServer, Request, Response

LATE_SECONDS = 60.0


def _late_script(_request: Request) -> Response:
    def body() -> Iterator[bytes]:
        time.sleep(LATE_SECONDS)  # headers are sent; the page waits for the body
        yield b"/* late */\n"

    return Response(body(), content_type="text/javascript")


def register(server: FixtureServer) -> None:
    server.route("GET", "/faults/late.js", _late_script)
