"""``python -m agent.browser.setup``: make sure a Chromium and an ffmpeg are available.

Tries, in order: a Chromium the launcher already finds; ``playwright install chromium``
(works where the CDN is reachable); ``apt-get install chromium ffmpeg`` when running as
root on Debian/Ubuntu. Then links a system ffmpeg where Playwright looks for its own, so
video recording works. Prints one line per finding (what was found or installed, and why
a download was skipped); the tools' own output goes to the log file (``--log``, default
``.venv/setup.log``), which is named when something fails. Exits non-zero with what to
install when no Chromium could be had.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
from pathlib import Path

from agent.browser.launch import find_chromium
from agent.browser.recording import ensure_ffmpeg, playwright_ffmpeg_path
from agent.errors import BrowserNotInstalledError

DEFAULT_LOG = Path(".venv") / "setup.log"


class Setup:
    """Runs the installers quietly into one log file and says what happened in one line each."""

    def __init__(self, log: Path) -> None:
        self.log = log
        log.parent.mkdir(parents=True, exist_ok=True)

    def say(self, text: str) -> None:
        print(text, flush=True)

    def run(self, cmd: list[str]) -> bool:
        """Run ``cmd`` with its output appended to the log; True when it succeeded."""
        with self.log.open("a", encoding="utf-8") as out:
            out.write(f"\n$ {' '.join(cmd)}\n")
            out.flush()
            try:
                done = subprocess.run(
                    cmd, stdout=out, stderr=subprocess.STDOUT, check=False, timeout=900
                )
            except (OSError, subprocess.TimeoutExpired) as exc:
                out.write(f"failed: {exc}\n")
                return False
        return done.returncode == 0

    def apt_install(self, packages: list[str]) -> str | None:
        """Install with apt-get; None when done, else why it was not (for the user)."""
        if not shutil.which("apt-get"):
            return "no apt-get on this machine"
        if os.geteuid() != 0:
            return "apt-get needs root (try: sudo apt-get install -y " + " ".join(packages) + ")"
        self.say(f"  installing {' '.join(packages)} with apt-get …")
        env = ["env", "DEBIAN_FRONTEND=noninteractive"]
        if self.run(["apt-get", "update", "-qq"]) and self.run(
            [*env, "apt-get", "install", "-y", "-qq", *packages]
        ):
            return None
        return f"apt-get failed (see {self.log})"


def _chromium() -> str | None:
    try:
        return find_chromium()
    except BrowserNotInstalledError:
        return None


def _where(path: str) -> str:
    return "Playwright's build" if "ms-playwright" in path else "the system's"


def ensure_chromium(setup: Setup) -> str | None:
    """A Chromium's path (found, downloaded or installed), or None after saying why not."""
    path = _chromium()
    if path is not None:
        setup.say(f"Chromium: {path} ({_where(path)}; nothing to download)")
        return path
    setup.say("Chromium: none found; downloading Playwright's build …")
    if setup.run([sys.executable, "-m", "playwright", "install", "chromium"]):
        path = _chromium()
    else:
        setup.say(
            f"  the download failed (no network to Playwright's CDN?); details in {setup.log}"
        )
        why = setup.apt_install(["chromium", "ffmpeg"])
        if why is not None:
            setup.say(f"  apt-get skipped: {why}")
        path = _chromium()
    if path is None:
        try:
            find_chromium()
        except BrowserNotInstalledError as exc:
            print(f"Chromium: none. {exc} (set-up log: {setup.log})", file=sys.stderr)
        return None
    setup.say(f"Chromium: {path} ({_where(path)}, installed now)")
    return path


def ensure_video(setup: Setup) -> bool:
    """An ffmpeg where Playwright records video with it; says which one, or why there is none."""
    own = playwright_ffmpeg_path()
    if own is not None and not own.is_symlink():
        setup.say(f"ffmpeg:   {own} (Playwright's)")
        return True
    if shutil.which("ffmpeg") is None:
        why = setup.apt_install(["ffmpeg"])
        if why is not None:
            setup.say(f"ffmpeg:   none, so runs are not recorded as video ({why})")
            return False
    if not ensure_ffmpeg():
        setup.say(
            f"ffmpeg:   {shutil.which('ffmpeg')} found, but it could not be linked for Playwright; no video"
        )
        return False
    setup.say(
        f"ffmpeg:   {shutil.which('ffmpeg')} (the system's, linked where Playwright records video)"
    )
    return True


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m agent.browser.setup")
    parser.add_argument("--log", type=Path, default=DEFAULT_LOG, help="where tools' output goes")
    args = parser.parse_args(argv)
    setup = Setup(args.log)
    if ensure_chromium(setup) is None:
        return 1
    ensure_video(setup)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
