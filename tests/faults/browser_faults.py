"""Breaking an Agent's browser from outside, as a crash or ``kill -9`` would."""

from __future__ import annotations

import asyncio
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

    Call it from a model stand-in, which runs on the Agent's loop thread.
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

    task = asyncio.get_running_loop().create_task(crash())
    _pending.add(task)
    task.add_done_callback(_pending.discard)


_pending: set[asyncio.Task[None]] = set()
