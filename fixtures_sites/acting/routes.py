"""Dynamic routes for the acting fixtures: the send endpoint answers without changing the page."""

from __future__ import annotations

from typing import Any


def register(server: Any) -> None:
    def send(_request: Any) -> Any:
        from fixtures_sites.server import Response

        return Response.json({"queued": True})

    server.route("POST", "/acting/send", send)
