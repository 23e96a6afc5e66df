"""Tidying the folders of runs whose process died.

A process killed mid-run (``kill -9``, a crash, a closed notebook kernel) leaves its run
``running`` in the store and its folder half written: Playwright's video under a random
name in ``video/``, a download reserved but never filled. The stores mark such runs
``failed`` ("Run interrupted ...") together with the step that was running; this module
does the same for the files, when an :class:`~agent.Agent` opens on the data dir:

- a non-empty video is kept as ``recording.webm`` (it plays up to where the process
  died) and set as the run's ``recording_url``; the ``video/`` folder goes;
- empty placeholders and partial files (``.part``, ``.tmp``, ``.crdownload``) go.

Only folders of runs that are final and still hold a ``video/`` folder or partial files
are touched; a finished run's folder never holds either.
"""

from __future__ import annotations

import logging
import shutil
from pathlib import Path

from agent.records.errors import RunNotFoundError
from agent.stores.base import RunStepStore

logger = logging.getLogger("agent")

PARTIAL_SUFFIXES = (".part", ".tmp", ".crdownload")
"""Endings of files a transfer or a writer had not finished."""


def tidy_interrupted_runs(store: RunStepStore, data_dir: Path) -> list[str]:
    """Tidy the folders of dead runs under ``data_dir``; returns the run ids tidied."""
    runs_dir = data_dir / "runs"
    if not runs_dir.is_dir():
        return []
    tidied = []
    for folder in sorted(runs_dir.iterdir()):
        if not folder.is_dir() or not _untidy(folder):
            continue
        try:
            run = store.get_run(folder.name)  # a dead owner is marked failed on this read
        except RunNotFoundError:
            continue  # another store's run: not ours to touch
        if not run.status.is_final:
            continue  # still running somewhere
        try:
            recording = _keep_video(folder)
            _drop_partials(folder)
        except OSError as exc:
            logger.warning("could not tidy %s: %s", folder, exc)
            continue
        if recording and not run.recording_url:
            store.update_run(run.run_id, recording_url=recording)
        tidied.append(run.run_id)
    return tidied


def _untidy(folder: Path) -> bool:
    return (folder / "video").is_dir() or any(_partial(p) for p in _files(folder / "downloads"))


def _files(folder: Path) -> list[Path]:
    return [p for p in folder.iterdir() if p.is_file()] if folder.is_dir() else []


def _partial(path: Path) -> bool:
    return path.suffix in PARTIAL_SUFFIXES or path.stat().st_size == 0


def _keep_video(folder: Path) -> str | None:
    videos = folder / "video"
    if not videos.is_dir():
        return None
    target = folder / "recording.webm"
    found = sorted(
        (p for p in videos.iterdir() if p.is_file() and p.stat().st_size > 0),
        key=lambda p: p.stat().st_size,
        reverse=True,
    )
    kept = None
    if found and not target.exists():
        shutil.move(str(found[0]), target)
        kept = target.resolve().as_uri()
    shutil.rmtree(videos, ignore_errors=True)
    return kept


def _drop_partials(folder: Path) -> None:
    for path in _files(folder / "downloads"):
        if _partial(path):
            path.unlink(missing_ok=True)
