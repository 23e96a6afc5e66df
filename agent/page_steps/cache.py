"""The act cache: a resolved ``ai.act`` kept with its locators and the page it ran on.

Location: ``<data_dir>/page_cache/<key>.json`` (one readable JSON file per entry), or the
folder given as ``agent.on(page, cache=PATH)``; ``cache=False`` switches it off.

Key: a SHA-256 of the instruction (whitespace folded, case kept) and the page it ran on:
the URL's scheme, host, port, path and query (the fragment is ignored). A different
instruction or another page never reads the entry; the same instruction on the same
page with changed content reads it, and then the locators decide: each recorded action
must find exactly one element again (:func:`agent.browser.seeing.locators.find`) and prove its
effect, or the call falls back to the model.

Invalidation: an entry is rewritten whenever the model had to resolve the instruction
again (its locators no longer fit); :meth:`ActCache.clear` (or deleting the folder)
drops all entries. Entries hold the actions as the model gave them: a secret is kept
as its ``{{NAME}}`` placeholder, never as its value.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from pydantic import BaseModel, Field

from agent.records.runs import utcnow

if TYPE_CHECKING:
    from agent.client import Agent


def page_key(url: str) -> str:
    """The part of ``url`` that names the page: everything but the fragment."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}{parts.path}" + (
        f"?{parts.query}" if parts.query else ""
    )


def entry_key(instruction: str, url: str) -> str:
    """The cache key of ``instruction`` on the page at ``url``."""
    text = json.dumps([re.sub(r"\s+", " ", instruction).strip(), page_key(url)])
    return hashlib.sha256(text.encode()).hexdigest()[:32]


class CachedAction(BaseModel):
    """One action of a cached act: the action's fields and how to find its element."""

    action: dict[str, Any]
    """The action as the model gave it, without its element id."""
    locator: dict[str, Any] | None = None
    """The element's recorded features (None for an action with no element)."""
    selector: str | None = None
    """The same as a Playwright selector, for people reading the file."""


class CacheEntry(BaseModel):
    """What one cache file holds."""

    instruction: str
    page: str
    actions: list[CachedAction] = Field(default_factory=list)
    written_at: str = ""
    hits: int = 0


class ActCache:
    """The entries in one folder (see the module's docstring for key and invalidation)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def _path(self, instruction: str, url: str) -> Path:
        return self.folder / f"{entry_key(instruction, url)}.json"

    def get(self, instruction: str, url: str) -> CacheEntry | None:
        """The entry for ``instruction`` on ``url``, or None (also for an unreadable file)."""
        path = self._path(instruction, url)
        try:
            entry = CacheEntry.model_validate_json(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        if entry.instruction != re.sub(r"\s+", " ", instruction).strip():
            return None  # a hash collision is not a match
        if entry.page != page_key(url):
            return None
        return entry

    def put(self, instruction: str, url: str, actions: list[CachedAction]) -> CacheEntry:
        """Write (or replace) the entry; returns it."""
        entry = CacheEntry(
            instruction=re.sub(r"\s+", " ", instruction).strip(),
            page=page_key(url),
            actions=actions,
            written_at=utcnow().isoformat(),
        )
        self._write(self._path(instruction, url), entry)
        return entry

    def hit(self, entry: CacheEntry, url: str) -> None:
        """Count a use of ``entry`` (kept in the file, for people reading it)."""
        entry.hits += 1
        self._write(self._path(entry.instruction, url), entry)

    def _write(self, path: Path, entry: CacheEntry) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        temporary = path.with_suffix(".tmp")
        temporary.write_text(entry.model_dump_json(indent=1), encoding="utf-8")
        os.replace(temporary, path)

    def clear(self) -> int:
        """Drop every entry; returns how many there were."""
        count = 0
        for path in self.folder.glob("*.json"):
            path.unlink(missing_ok=True)
            count += 1
        return count


def cache_folder(agent: Agent, cache: bool | str | Path) -> ActCache | None:
    """The act cache for ``agent.on(page, cache=...)``: True = ``<data_dir>/page_cache``."""
    if cache is False:
        return None
    if cache is True:
        return ActCache(Path(agent.data_dir) / "page_cache")
    return ActCache(Path(cache).expanduser().resolve())
