"""Dynamic routes for the seeing fixtures: a slow answer (late.html), one that hangs (never.html)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

HANG_SECONDS = 3.0
SLOW_SECONDS = 0.25


def register(server: Any) -> None:
    def hang(_request: Any) -> Any:
        from fixtures_sites.server import Response

        def slowly() -> Iterator[bytes]:
            time.sleep(HANG_SECONDS)  # longer than any settle wait: the network never goes quiet
            yield b"late"

        return Response(slowly(), content_type="text/plain")  # streamed: a closed tab is no error

    def slow_data(_request: Any) -> Any:
        from fixtures_sites.server import Response

        time.sleep(SLOW_SECONDS)
        return Response('{"orders": 3}', content_type="application/json")

    server.route("GET", "/seeing/hang", hang)
    server.route("GET", "/seeing/orders.json", slow_data)
