"""``python -m agent.browser.lifecycle.setup``: make sure a Chromium and an ffmpeg are available.

Tries, in order: a Chromium the launcher already finds; ``playwright install chromium``
(works where the CDN is reachable); ``apt-get install chromium ffmpeg`` when running as
root (or with passwordless sudo) on Debian/Ubuntu. With ``--servers`` (``make test``)
also PostgreSQL's and Redis's server binaries, which the store and queue tests start;
without root the exact ``sudo apt-get`` command is printed and those tests skip. Then links a system ffmpeg where Playwright looks for its own, so
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
from collections.abc import Callable
from pathlib import Path

from agent.browser.lifecycle.launch import find_chromium
from agent.browser.lifecycle.recording import ensure_ffmpeg, playwright_ffmpeg_path
from agent.records.errors import BrowserNotInstalledError

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
        prefix = apt_prefix(os.geteuid(), _passwordless_sudo)
        if prefix is None:
            return f"apt-get needs root; run: {manual_command(packages)}"
        self.say(f"  installing {' '.join(packages)} with apt-get …")
        env = [*prefix, "env", "DEBIAN_FRONTEND=noninteractive"]
        if self.run([*prefix, "apt-get", "update", "-qq"]) and self.run(
            [*env, "apt-get", "install", "-y", "-qq", *packages]
        ):
            return None
        return f"apt-get failed (see {self.log}); run: {manual_command(packages)}"


SERVER_PACKAGES = ["postgresql", "redis-server"]
"""What the store and queue tests start servers from (tests/services.py)."""


def manual_command(packages: list[str]) -> str:
    """The command a person without root runs to install ``packages``."""
    return "sudo apt-get install -y " + " ".join(packages)


def apt_prefix(euid: int, passwordless_sudo: Callable[[], bool]) -> list[str] | None:
    """How apt-get can run here: as is (root), through ``sudo -n``, or not at all (None).

    >>> apt_prefix(0, lambda: False), apt_prefix(1000, lambda: True), apt_prefix(1000, lambda: False)
    ([], ['sudo', '-n'], None)
    """
    if euid == 0:
        return []
    if passwordless_sudo():
        return ["sudo", "-n"]
    return None


def _passwordless_sudo() -> bool:
    if shutil.which("sudo") is None:
        return False
    try:
        done = subprocess.run(
            ["sudo", "-n", "true"],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            timeout=10,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return False
    return done.returncode == 0


def postgres_bin() -> Path | None:
    """The folder of PostgreSQL's server binaries (``initdb``, ``postgres``), or None.

    ``AGENT_TEST_PG_BIN`` first, then the newest ``/usr/lib/postgresql/<version>/bin``
    (Debian and Ubuntu), then an ``initdb`` on PATH.
    """
    given = os.environ.get("AGENT_TEST_PG_BIN")
    if given:
        return Path(given) if (Path(given) / "initdb").exists() else None
    versions = sorted(
        Path("/usr/lib/postgresql").glob("*/bin/initdb"),
        key=lambda p: int(p.parent.parent.name) if p.parent.parent.name.isdigit() else 0,
    )
    if versions:
        return versions[-1].parent
    on_path = shutil.which("initdb")
    return Path(on_path).parent if on_path else None


def missing_servers() -> list[str]:
    """The packages of :data:`SERVER_PACKAGES` whose server binaries are not here."""
    missing = []
    if postgres_bin() is None:
        missing.append("postgresql")
    if shutil.which("redis-server") is None:
        missing.append("redis-server")
    return missing


def ensure_servers(setup: Setup) -> bool:
    """PostgreSQL's and Redis's server binaries, for the tests; says what it found or did.

    Installed with apt-get as root or with passwordless sudo; otherwise the exact command
    is printed and their tests skip, saying it again. True when both are here.
    """
    missing = missing_servers()
    if not missing:
        setup.say(f"servers:  PostgreSQL ({postgres_bin()}) and Redis (for the store tests)")
        return True
    why = setup.apt_install(missing)
    missing = missing_servers()
    if why is None and not missing:
        setup.say("servers:  PostgreSQL and Redis installed now (for the store tests)")
        return True
    setup.say(
        f"servers:  {' and '.join(missing)} missing, so their tests will be skipped "
        f"({why or 'installed, but still not found'})"
    )
    return False


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
    parser = argparse.ArgumentParser(prog="python -m agent.browser.lifecycle.setup")
    parser.add_argument("--log", type=Path, default=DEFAULT_LOG, help="where tools' output goes")
    parser.add_argument(
        "--servers",
        action="store_true",
        help="also PostgreSQL and Redis server binaries (what the whole test suite needs)",
    )
    args = parser.parse_args(argv)
    setup = Setup(args.log)
    if ensure_chromium(setup) is None:
        return 1
    ensure_video(setup)
    if args.servers:
        ensure_servers(setup)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
