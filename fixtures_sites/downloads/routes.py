"""Downloads: GET /downloads/file/<name> answers an attachment with fixed content;
GET /downloads/stream streams a large one (see README.md)."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator

from fixtures_sites.server import FixtureServer, Request, Response

CSV = b"month,orders,revenue\n2025-03,1289,48211.50\n"
# A tiny, valid one-page PDF (deterministic bytes).
PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 100]>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)
FILES = {
    "report-2025-03.csv": ("report-2025-03.csv", "text/csv", CSV),
    "invoice.pdf": ("invoice.pdf", "application/pdf", PDF),
    # A hostile suggested name: folders, a leading dot, reserved characters.
    "nasty": ("../../.secret<1>.txt", "text/plain", b"not really secret\n"),
    "big.bin": ("big.bin", "application/octet-stream", bytes(range(256)) * 800),
}


def _attachment(name: str) -> Response:
    filename, ctype, content = FILES[name]
    return Response(
        content,
        content_type=ctype,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


def _handler(name: str) -> Callable[[Request], Response]:
    return lambda _request: _attachment(name)


CHUNK = 64 * 1024


def _stream(server: FixtureServer) -> Callable[[Request], Response]:
    """``?mb=200&length=1&id=x``: ``mb`` megabytes in 64 KiB chunks (``mb=endless``: no end,
    in 256 KiB chunks),
    with a Content-Length when ``length=1``; bytes really sent are counted in
    ``state["downloads"]["sent"][id]``."""
    sent: dict[str, int] = server.state.setdefault("downloads", {"sent": {}})["sent"]

    def handler(request: Request) -> Response:
        megabytes = request.query.get("mb", "200")
        endless = megabytes == "endless"
        size = 1 << 62 if endless else int(float(megabytes) * 1_000_000)
        step = 4 * CHUNK if endless else CHUNK  # endless: as fast as a fast network
        key = request.query.get("id", "")
        sent[key] = 0

        def chunks() -> Iterator[bytes]:
            block = bytes(range(256)) * (step // 256)
            while sent[key] < size:
                piece = block[: min(step, size - sent[key])]
                yield piece
                sent[key] += len(piece)
                time.sleep(0.001)  # a real network's pace, roughly 60 MB/s at most

        headers = {"Content-Disposition": 'attachment; filename="dump.bin"'}
        if request.query.get("length") == "1":
            headers["Content-Length"] = str(size)
        return Response(chunks(), content_type="application/octet-stream", headers=headers)

    return handler


def register(server: FixtureServer) -> None:
    for name in FILES:
        server.route("GET", f"/downloads/file/{name}", _handler(name))
    server.route("GET", "/downloads/stream", _stream(server))
