"""``python -m agent.browser.setup``: make sure a Chromium and an ffmpeg are available.

Tries, in order: a Chromium the launcher already finds; ``playwright install chromium``
(works where the CDN is reachable); ``apt-get install chromium ffmpeg`` when running as
root on Debian/Ubuntu. Then links a system ffmpeg where Playwright looks for its own, so
video recording works. Exits non-zero with what to install when nothing worked.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

from agent.browser.launch import find_chromium
from agent.browser.recording import ensure_ffmpeg
from agent.errors import BrowserNotInstalledError


def _try(cmd: list[str]) -> bool:
    print("+", " ".join(cmd), flush=True)
    try:
        return subprocess.run(cmd, check=False, timeout=900).returncode == 0
    except (OSError, subprocess.TimeoutExpired) as exc:
        print(f"  failed: {exc}")
        return False


def _apt_install(packages: list[str]) -> bool:
    if not shutil.which("apt-get") or os.geteuid() != 0:
        return False
    env_ok = _try(["apt-get", "update", "-qq"])
    return env_ok and _try(
        ["env", "DEBIAN_FRONTEND=noninteractive", "apt-get", "install", "-y", "-qq", *packages]
    )


def main() -> int:
    try:
        path = find_chromium()
    except BrowserNotInstalledError:
        path = None
    if path is None:
        if not _try([sys.executable, "-m", "playwright", "install", "chromium"]):
            _apt_install(["chromium", "ffmpeg"])
        try:
            path = find_chromium()
        except BrowserNotInstalledError as exc:
            print(exc, file=sys.stderr)
            return 1
    if not shutil.which("ffmpeg") and not ensure_ffmpeg():
        _apt_install(["ffmpeg"])
    ensure_ffmpeg()
    print(f"Chromium: {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
