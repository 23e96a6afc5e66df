"""Breaking an Agent's browser from outside, as a crash or ``kill -9`` would."""

from __future__ import annotations

import asyncio
import concurrent.futures
import os
import signal
from pathlib import Path

from agent import Agent


def _children() -> dict[int, list[int]]:
    tree: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        tree.setdefault(ppid, []).append(int(entry.name))
    return tree


def browser_processes() -> set[int]:
    """Chromium main processes started (through Playwright) by this test process."""
    tree, found, todo = _children(), set(), [os.getpid()]
    while todo:
        pid = todo.pop()
        for child in tree.get(pid, []):
            todo.append(child)
            try:
                argv = (Path("/proc") / str(child) / "cmdline").read_bytes().split(b"\0")
            except OSError:
                continue
            name = Path(argv[0].decode(errors="replace")).name
            if "chrom" in name and not any(a.startswith(b"--type=") for a in argv):
                found.add(child)
    return found


def kill_browsers(pids: set[int]) -> None:
    for pid in pids:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


def crash_active_page(agent: Agent) -> None:
    """Crash the renderer of the Agent's newest page (CDP ``Page.crash``), from its loop.

    Call it from a model stand-in (which runs on a thread of its own).
    """
    browser = agent.launched_browser
    assert browser is not None, "the Agent has no browser yet"
    page = browser.contexts[-1].pages[-1]

    async def crash() -> None:
        session = await page.context.new_cdp_session(page)
        try:  # the renderer dies before it can answer
            await asyncio.wait_for(session.send("Page.crash"), 2)
        except Exception:
            pass

    # the stand-in runs on a thread of its own: the crash is scheduled on the page's loop
    loop: asyncio.AbstractEventLoop = page._loop  # type: ignore[attr-defined]
    _pending.add(asyncio.run_coroutine_threadsafe(crash(), loop))


_pending: set[concurrent.futures.Future[None]] = set()
