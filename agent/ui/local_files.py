"""The run's local files as things a page can carry: safe links and embedded images.

Reports and notebook cards point at a run's files (``file://`` URLs in the run object) and
embed its screenshots. A link is made only for ``file:``, ``http:`` and ``https:`` URLs
(relative to the page when the file sits below it); an image is embedded as a ``data:`` URI
only when it really is a PNG or a JPEG, with its size read from its header.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, urlsplit
from urllib.request import url2pathname

LINK_SCHEMES = ("file", "http", "https")
_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def file_path(url: str | None) -> Path | None:
    """The local path of a ``file://`` URL, else None."""
    if not url:
        return None
    parts = urlsplit(url)
    if parts.scheme != "file" or parts.netloc not in ("", "localhost"):
        return None
    return Path(url2pathname(parts.path))


@dataclass(frozen=True)
class Image:
    """A screenshot ready to embed."""

    data_uri: str
    """``data:image/png;base64,...`` (or ``image/jpeg``)."""
    size: tuple[int, int] | None
    """Width and height in pixels, when the header could be read."""


def load_image(url: str | None, *, max_bytes: int | None = None) -> Image | None:
    """A local PNG or JPEG as an embeddable :class:`Image`, or None when it is not readable."""
    path = file_path(url)
    try:
        if path is None or (max_bytes is not None and path.stat().st_size > max_bytes):
            return None
        data = path.read_bytes()
    except OSError:
        return None
    if data.startswith(_PNG_SIGNATURE):
        mime = "image/png"
        size = (
            (int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big"))
            if len(data) >= 24
            else None
        )
    elif data.startswith(b"\xff\xd8"):
        mime, size = "image/jpeg", _jpeg_size(data)
    else:
        return None
    return Image(f"data:{mime};base64,{base64.b64encode(data).decode('ascii')}", size)


def _jpeg_size(data: bytes) -> tuple[int, int] | None:
    """Width and height from a JPEG's start-of-frame segment."""
    i = 2
    while i + 9 <= len(data):
        if data[i] != 0xFF:
            return None
        marker = data[i + 1]
        if marker == 0xFF:  # fill byte
            i += 1
            continue
        if marker == 0x01 or 0xD0 <= marker <= 0xD8:  # segments without a length
            i += 2
            continue
        if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
            height = int.from_bytes(data[i + 5 : i + 7], "big")
            return int.from_bytes(data[i + 7 : i + 9], "big"), height
        i += 2 + int.from_bytes(data[i + 2 : i + 4], "big")
    return None


def safe_href(url: str | None, base_dir: Path | None = None) -> str | None:
    """A link target that cannot run code: file/http/https only, relative under ``base_dir``."""
    if not url or urlsplit(url).scheme.lower() not in LINK_SCHEMES:
        return None
    local = file_path(url)
    if local is not None and base_dir is not None and local.is_relative_to(base_dir):
        return quote(local.relative_to(base_dir).as_posix())
    return url
