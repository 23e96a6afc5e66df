"""Dynamic route for the hard cases: frames.html needs the second origin's address."""

from __future__ import annotations

from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent


def register(server: Any) -> None:
    def frames(_request: Any) -> Any:
        from fixtures_sites.server import Response

        html = (HERE / "frames.html").read_text(encoding="utf-8")
        return Response(html.replace("__ALT_ORIGIN__", server.alt_base_url))

    server.route("GET", "/hard_cases/frames.html", frames)
