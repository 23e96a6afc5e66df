"""A run whose process is killed with SIGKILL mid-step is recovered whole (SQLite store)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from agent import Agent, RunStatus
from agent.records.runs import StepStatus
from agent.stores import SQLiteStore
from agent.testing import ScriptedLLM
from fixtures_sites.server import FixtureServer

ROOT = Path(__file__).resolve().parents[2]


def _wait_for(path: Path, process: subprocess.Popen[bytes], seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while not path.exists():
        assert process.poll() is None, process.stderr.read().decode()[-2000:]  # type: ignore[union-attr]
        assert time.monotonic() < deadline, "the run never reached its first step"
        time.sleep(0.1)


def test_a_run_killed_mid_step_ends_failed_with_its_step_and_no_stray_files(
    tmp_path: Path, server: FixtureServer
) -> None:
    db, data_dir, marker = tmp_path / "agent.db", tmp_path / "data", tmp_path / "in-step"
    url = server.url("/faults/steady.html")
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.faults.killed_run", str(db), str(data_dir), url, str(marker)],
        cwd=ROOT,
        stderr=subprocess.PIPE,
        start_new_session=True,  # its browser is in its process group, cleaned up below
    )
    try:
        _wait_for(marker, process, 90)
        time.sleep(1.0)  # let the video get some frames
        os.kill(process.pid, signal.SIGKILL)
        process.wait(10)
    finally:
        try:
            os.killpg(process.pid, signal.SIGKILL)  # the orphaned browser and driver
        except ProcessLookupError:
            pass
        process.stderr.close()  # type: ignore[union-attr]

    store = SQLiteStore(db)
    try:
        [run] = store.list_runs()
        assert run.status == RunStatus.failed
        assert run.failure_reason is not None and "Run interrupted" in run.failure_reason
        steps = store.list_steps(run.run_id)
        assert steps, "the step that was running is kept"
        assert all(s.status == StepStatus.failed for s in steps)
        assert steps[-1].failure_reason == run.failure_reason
        assert run.step_count == len(steps)  # the run and its report count the stored steps
    finally:
        store.close()

    folder = data_dir / "runs" / run.run_id
    assert (folder / "video").is_dir(), "the killed process left its video unnamed"
    with Agent(llm=ScriptedLLM([]), store=f"{db}", data_dir=data_dir, progress=False) as agent:
        tidied = agent.get_run(run.run_id)
    assert not (folder / "video").exists()
    leftovers = sorted(p.name for p in folder.iterdir())
    assert set(leftovers) <= {"recording.webm", "run.json", "steps"}, leftovers
    if "recording.webm" in leftovers:
        assert tidied.recording_url == (folder / "recording.webm").resolve().as_uri()
