"""What a run folder keeps of the run's records, so it can be read without the store.

``data_dir/runs/<run_id>/`` holds the run's files (screenshots, prompts, answers,
downloads, recording). Beside them it keeps copies of the records the store has:

    run.json                 the run as it last changed (each step and the ending)
    steps/NNN-R/step.json    each step as it was last saved

They are what :meth:`TaskRun.report` reads to write the same full report as
``agent.report(run_id)`` from the run object alone, and what ``agent report --all`` lists
from a data dir whose store is gone (a memory store, another machine). The store stays the
source of truth; these are written through pydantic like everything it keeps.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path

from pydantic import ValidationError

from agent.records.runs import Step, TaskRun

logger = logging.getLogger("agent.run")

RUN_RECORD = "run.json"
STEP_RECORD = "step.json"
_STEP_DIR = re.compile(r"^(\d+)-(\d+)$")


def step_folder(run_dir: Path, step: Step) -> Path:
    """``run_dir/steps/NNN-R`` for a step (created)."""
    path = run_dir / "steps" / f"{step.order:03d}-{step.retry_index}"
    path.mkdir(parents=True, exist_ok=True)
    return path


def keep_step(run_dir: Path, step: Step) -> None:
    """Write the step's record into its folder (a failure to write is logged, never raised)."""
    _write(step_folder(run_dir, step) / STEP_RECORD, step.model_dump_json(indent=1))


def keep_run(run_dir: Path, run: TaskRun) -> None:
    """Write the run's record into its folder (a failure to write is logged, never raised)."""
    run_dir.mkdir(parents=True, exist_ok=True)
    _write(run_dir / RUN_RECORD, run.model_dump_json(indent=1))


def read_steps(run_dir: Path) -> list[Step] | None:
    """The step records the folder keeps, in order; None when any step folder lacks one."""
    steps_dir = run_dir / "steps"
    folders = sorted(
        (int(m[1]), int(m[2]), p)
        for p in (steps_dir.iterdir() if steps_dir.is_dir() else [])
        if (m := _STEP_DIR.match(p.name)) and p.is_dir()
    )
    steps = []
    for _, _, folder in folders:
        try:
            steps.append(Step.model_validate_json((folder / STEP_RECORD).read_bytes()))
        except (OSError, ValidationError):
            return None  # an older run, or a folder without records: the caller falls back
    return steps


def read_run(run_dir: Path) -> TaskRun | None:
    """The run record the folder keeps, or None."""
    try:
        return TaskRun.model_validate_json((run_dir / RUN_RECORD).read_bytes())
    except (OSError, ValidationError):
        return None


def _write(path: Path, text: str) -> None:
    tmp = path.with_name(path.name + ".tmp")
    try:
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(path)  # readers never see half a record
    except OSError as exc:
        logger.warning("could not keep %s: %s", path, exc)
