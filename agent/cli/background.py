"""``agent run --no-wait``: print the queued run at once, let it go on in another process.

A run lives in the process that runs it, and the ``agent`` process ends as soon as it has
printed; so ``--no-wait`` starts a detached copy of the same command (``--background``),
which stores the run, says its id on its stdout and then carries it to the end, with its
own output going to ``<data dir>/runs/<run_id>/background.log``. The store must be one
both processes see (SQLite, the default, or a server).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from agent.cli import EXIT_OK, EXIT_USAGE, open_agent

if TYPE_CHECKING:
    from agent.client import Agent
    from agent.records.runs import TaskRun

START_TIMEOUT = 120.0
"""Seconds the first process waits for the background one to store the run."""
ANNOUNCE = "agent-run-id "

ShowRun = Callable[..., None]
"""Prints a run: ``show_run(agent, run, as_json=...)``."""


def start_in_background(args: argparse.Namespace, show_run: ShowRun) -> int:
    """Start the command again, detached, with ``--background``; print the run it stored.

    ``show_run`` prints it (the ``run`` command's own printer, handed down).
    """
    if (args.store or os.environ.get("AGENT_STORE")) == "memory":
        print(
            "agent: --no-wait needs a store another process can see; "
            "drop --store memory (the default is the data dir's SQLite file)",
            file=sys.stderr,
        )
        return EXIT_USAGE
    argv = [a for a in args.argv if a not in ("--no-wait", "--wait")]
    root = str(Path(__file__).resolve().parents[2])  # the same code, wherever it is installed
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(filter(None, [root, os.environ.get("PYTHONPATH")])),
    }
    child = subprocess.Popen(
        [sys.executable, "-m", "agent", *argv, "--background", "--quiet"],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
        start_new_session=True,  # outlives this process and its terminal
        text=True,
    )
    assert child.stdout is not None and child.stderr is not None
    line = child.stdout.readline()  # the id, or nothing when the command failed at once
    if not line.startswith(ANNOUNCE):
        code = child.wait(timeout=START_TIMEOUT)
        sys.stderr.write(
            child.stderr.read() or f"agent: the background run did not start ({line.strip()})\n"
        )
        return code or EXIT_USAGE
    child.stdout.close()
    child.stderr.close()
    run_id = line.removeprefix(ANNOUNCE).strip()
    with open_agent(args) as agent:
        show_run(agent, agent.get_run(run_id), as_json=args.json)
    return EXIT_OK


def announce(agent: Agent, run: TaskRun) -> None:
    """In the background process: tell the first one the run id, then write to the run's log."""
    print(ANNOUNCE + run.run_id, flush=True)
    folder = agent.data_dir / "runs" / run.run_id
    folder.mkdir(parents=True, exist_ok=True)
    log = open(folder / "background.log", "ab")  # stays open as long as the process
    for stream in (sys.stdout, sys.stderr):
        stream.flush()
        os.dup2(log.fileno(), stream.fileno())
