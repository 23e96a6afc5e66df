"""Downloads taken from the browser and streamed to disk by the agent, bounded to a chunk.

A page's document responses pause (Chrome DevTools ``Fetch`` at the response stage,
document requests only). One that is a download (``Content-Disposition: attachment``,
or a type the browser cannot show) is read here from the browser's network stack one
chunk of :data:`CHUNK_BYTES` at a time (``Fetch.takeResponseBodyAsStream``, ``IO.read``)
and written to its file; the browser itself never saves it, so Playwright keeps no
temporary copy. A chunk that would take the file past the limit is not written: the
bytes on disk never pass the limit, and the server is left with what its socket
buffers hold. The request is then aborted, so the page stays where it was, as it does
for a download.

Every other document response goes on unchanged. :class:`~agent.browser.lifecycle.downloads.
Downloads` decides what to keep (limits, names, records); this module only moves bytes.
"""

from __future__ import annotations

import base64
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

CHUNK_BYTES = 1 << 20
"""Bytes read from the browser per ``IO.read``: the most a file on disk can lag the check."""

DOCUMENT_RESPONSES = [{"urlPattern": "*", "resourceType": "Document", "requestStage": "Response"}]
"""What pauses: document responses only (subresources never become downloads)."""

_SHOWN = re.compile(
    r"^(text/|image/|video/|audio/|multipart/)|^application/(xhtml\+xml|xml|json|javascript|"
    r"pdf|x-javascript|ecmascript|signed-exchange|rss\+xml|atom\+xml)|\+xml$|\+json$"
)
"""Types the browser shows instead of downloading (PDF: its viewer, or its own download)."""


@dataclass(frozen=True)
class PausedDownload:
    """A paused document response that is a download."""

    request_id: str
    url: str
    suggested: str
    """The name the server or the URL suggests (not yet made safe)."""
    length: int | None
    """The ``Content-Length`` the server announced, if any."""


def as_download(event: dict[str, Any]) -> PausedDownload | None:
    """The download a ``Fetch.requestPaused`` event holds, or None for a page to show."""
    status = event.get("responseStatusCode")
    if status is None or not 200 <= int(status) < 300:
        return None
    headers = {
        str(h.get("name", "")).lower(): str(h.get("value", ""))
        for h in event.get("responseHeaders") or []
    }
    disposition = headers.get("content-disposition", "")
    kind = headers.get("content-type", "").split(";")[0].strip().lower()
    attachment = disposition.split(";")[0].strip().lower() == "attachment"
    if not attachment and (not kind or _SHOWN.search(kind)):
        return None
    url = str(event.get("request", {}).get("url", ""))
    length = headers.get("content-length", "")
    return PausedDownload(
        request_id=str(event["requestId"]),
        url=url,
        suggested=_suggested_name(disposition, url),
        length=int(length) if length.isdigit() else None,
    )


def _suggested_name(disposition: str, url: str) -> str:
    star = re.search(r"filename\*\s*=\s*[\w-]*'[^']*'([^;]+)", disposition, flags=re.I)
    if star:
        return unquote(star.group(1).strip().strip('"'))
    plain = re.search(r'filename\s*=\s*"([^"]*)"|filename\s*=\s*([^;]+)', disposition, flags=re.I)
    if plain:
        return (plain.group(1) or plain.group(2) or "").strip()
    return unquote(urlsplit(url).path.rsplit("/", 1)[-1]) or "download"


@dataclass
class Streamed:
    """What :func:`stream_to` wrote."""

    written: int
    """Bytes on disk."""
    arrived: int
    """Bytes read from the browser (``written`` plus a refused chunk, if any)."""
    complete: bool
    """The whole body was written (False: it went past ``limit`` and was cut)."""


async def stream_to(session: Any, request_id: str, target: Path, limit: int) -> Streamed:
    """Write the paused response's body to ``target``, never past ``limit`` bytes."""
    opened = await session.send("Fetch.takeResponseBodyAsStream", {"requestId": request_id})
    handle = opened["stream"]
    written = 0
    try:
        with target.open("wb") as out:
            while True:
                chunk = await session.send("IO.read", {"handle": handle, "size": CHUNK_BYTES})
                data = chunk.get("data", "")
                body = base64.b64decode(data) if chunk.get("base64Encoded") else data.encode()
                if written + len(body) > limit:
                    return Streamed(written, written + len(body), False)
                out.write(body)
                written += len(body)
                if chunk.get("eof"):
                    return Streamed(written, written, True)
    finally:
        try:
            await session.send("IO.close", {"handle": handle})
        except Exception:  # the page or the stream is already gone
            pass
