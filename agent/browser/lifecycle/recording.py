"""Video recording support: making sure Playwright finds an ffmpeg.

Playwright records video with its own ffmpeg build, downloaded by
``playwright install ffmpeg`` into ``<browsers path>/ffmpeg-<revision>/ffmpeg-linux``.
Where that download is impossible, a system ffmpeg (Debian's ``ffmpeg`` package) can serve
in its place: :func:`ensure_ffmpeg` links it where Playwright looks. Without either,
runs still work and ``recording_url`` stays ``null``.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import sys
from functools import cache
from pathlib import Path

logger = logging.getLogger("agent.browser")


def _browsers_root() -> Path:
    env = os.environ.get("PLAYWRIGHT_BROWSERS_PATH")
    if env and env != "0":
        return Path(env)
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Caches" / "ms-playwright"
    if sys.platform.startswith("win"):
        return Path(os.environ.get("LOCALAPPDATA", Path.home())) / "ms-playwright"
    return Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "ms-playwright"


@cache
def _ffmpeg_revision() -> str | None:
    import playwright

    manifest = Path(playwright.__file__).parent / "driver" / "package" / "browsers.json"
    try:
        browsers = json.loads(manifest.read_text())["browsers"]
    except (OSError, ValueError, KeyError):
        return None
    return next((b["revision"] for b in browsers if b["name"] == "ffmpeg"), None)


def _expected_ffmpeg() -> Path | None:
    revision = _ffmpeg_revision()
    if revision is None:
        return None
    if sys.platform == "darwin":
        name = "ffmpeg-mac"
    elif sys.platform.startswith("win"):
        name = "ffmpeg-win64.exe"
    else:
        name = "ffmpeg-linux"
    return _browsers_root() / f"ffmpeg-{revision}" / name


def playwright_ffmpeg_path() -> Path | None:
    """Where Playwright's ffmpeg is, when it is there."""
    expected = _expected_ffmpeg()
    return expected if expected is not None and expected.exists() else None


def ensure_ffmpeg() -> bool:
    """Make sure Playwright can record video; link a system ffmpeg in place if need be.

    Returns False (and logs why) when no ffmpeg can be had; recording is then skipped.
    """
    if playwright_ffmpeg_path() is not None:
        return True
    expected = _expected_ffmpeg()
    system = shutil.which("ffmpeg")
    if expected is None or system is None:
        logger.warning(
            "No ffmpeg for video recording: runs will have recording_url=null. "
            "Install one with `python -m playwright install ffmpeg` or `apt-get install ffmpeg`."
        )
        return False
    try:
        expected.parent.mkdir(parents=True, exist_ok=True)
        expected.symlink_to(system)
    except OSError as exc:
        logger.warning("Could not link %s to %s for recording: %s", system, expected, exc)
        return False
    return True
