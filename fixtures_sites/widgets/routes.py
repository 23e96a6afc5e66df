"""Widgets: GET /widgets/regions?country=ca answers the regions of a country, slowly."""

from __future__ import annotations

import time

from fixtures_sites.server import FixtureServer, Request, Response

REGIONS = {"ca": ["Ontario", "Quebec", "Yukon"], "de": ["Bavaria", "Berlin", "Saxony"]}
ANSWER_DELAY_SECONDS = 0.3
"""How long the server thinks before answering (longer than any action's grace)."""


def _regions(request: Request) -> Response:
    time.sleep(ANSWER_DELAY_SECONDS)
    return Response.json(REGIONS.get(request.query.get("country", ""), []))


def register(server: FixtureServer) -> None:
    server.route("GET", "/widgets/regions", _regions)
