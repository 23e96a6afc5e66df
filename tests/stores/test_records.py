"""Records written by the version before typed records load, and write back the same JSON.

``tests/data/store_before_records.json`` holds the rows of a SQLite store that version
wrote (a published job application, its replay, a skyvern-2.0 run, a run that ran out
of steps), when runs, steps and workflows kept their records as plain dicts.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from agent.records import ActionRecord, Block, ElementSnapshot, ErrorEntry, ReplayMark
from agent.stores import SQLiteStore
from agent.workflow_records import Workflow, WorkflowAction

BEFORE = json.loads(
    (Path(__file__).parent.parent / "data" / "store_before_records.json").read_text()
)


@pytest.fixture
def old_store(tmp_path: Path) -> SQLiteStore:
    """A SQLite file with the earlier version's rows, opened by this version."""
    path = tmp_path / "before.db"
    SQLiteStore(path).close()  # the tables, as the migrations made them then
    with sqlite3.connect(path) as conn:
        for run in BEFORE["runs"]:
            conn.execute(
                "INSERT INTO runs (run_id, status, created_at, data) VALUES (?, ?, ?, ?)",
                (run["run_id"], run["status"], run["created_at"], json.dumps(run)),
            )
        for step in BEFORE["steps"]:
            conn.execute(
                "INSERT INTO steps (step_id, task_id, step_order, retry_index, created_at, data)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                (
                    step["step_id"],
                    step["task_id"],
                    step["order"],
                    step["retry_index"],
                    step["created_at"],
                    json.dumps(step),
                ),
            )
        for workflow in BEFORE["workflows"]:
            conn.execute(
                "INSERT INTO workflows (workflow_id, created_at, data) VALUES (?, ?, ?)",
                (workflow["workflow_id"], workflow["created_at"], json.dumps(workflow)),
            )
    store = SQLiteStore(path)
    yield store
    store.close()


def _by_id(rows: list[dict[str, Any]], key: str) -> dict[str, dict[str, Any]]:
    return {row[key]: row for row in rows}


def test_old_runs_load_with_typed_errors_and_blocks(old_store: SQLiteStore) -> None:
    before = _by_id(BEFORE["runs"], "run_id")
    runs = old_store.list_runs(page_size=10)
    assert {run.run_id for run in runs} == set(before)
    for run in runs:
        dumped = json.loads(run.model_dump_json())
        # confidence_float: the earlier version's get_run added it on reading, as now
        read_then = [{"confidence_float": 1.0, **e} for e in before[run.run_id]["errors"]]
        assert dumped["errors"] == read_then
        assert dumped["blocks"] == before[run.run_id]["blocks"]
    errors = [e for run in runs for e in run.errors]
    assert errors and all(isinstance(e, ErrorEntry) for e in errors)
    assert [e.error_code for e in errors] == ["REACH_MAX_STEPS"]
    blocks = [b for run in runs for b in run.blocks or []]
    assert blocks and all(isinstance(b, Block) for b in blocks)
    assert blocks[0].task_type == "navigate" and blocks[0].status == "completed"


def test_old_steps_load_with_typed_action_records(old_store: SQLiteStore) -> None:
    before = _by_id(BEFORE["steps"], "step_id")
    steps = [s for run in BEFORE["runs"] for s in old_store.list_steps(run["run_id"])]
    assert {step.step_id for step in steps} == set(before)
    for step in steps:
        dumped = json.loads(step.model_dump_json())
        assert dumped["actions"] == before[step.step_id]["actions"]  # the same JSON, key for key
        output = before[step.step_id]["output"]
        for action, _ in output["actions_and_results"] if output else ():
            action["action_type"] = action["action_type"].lower()  # read as the hosted enum
        assert dumped["output"] == output
    records = [a for step in steps for a in step.actions]
    assert all(isinstance(a, ActionRecord) for a in records)
    typed = [a for a in records if a.action_type == "INPUT_TEXT"]
    assert typed and all(isinstance(a.element, ElementSnapshot) for a in typed)
    assert all(a.element is not None and a.element.box is not None for a in typed)
    assert all(a.succeeded for a in typed)
    assert all(a.duration_ms is not None for a in typed if a.replay is None)  # timed by skyvern-1.0
    replayed = [a.replay for a in records if a.replay is not None]
    assert replayed and all(isinstance(mark, ReplayMark) for mark in replayed)
    assert not any(mark.fallback for mark in replayed)


def test_old_workflow_loads_typed_and_saves_back_the_same_json(old_store: SQLiteStore) -> None:
    (before,) = BEFORE["workflows"]
    workflow = old_store.get_workflow(before["workflow_id"])
    assert isinstance(workflow, Workflow)
    assert all(isinstance(a, WorkflowAction) for a in workflow.actions)
    assert [p.key for p in workflow.parameters] == [p["key"] for p in before["parameters"]]
    assert workflow.as_json() == before
    old_store.save_workflow(workflow.workflow_id, workflow)
    assert old_store.get_workflow(workflow.workflow_id).as_json() == before


def test_records_read_like_the_dicts_they_replace() -> None:
    (step,) = [s for s in BEFORE["steps"] if any("replay" in a for a in s["actions"])][:1]
    raw = step["actions"][0]
    record = ActionRecord.model_validate(raw)
    assert record == raw and dict(record) == {k: record[k] for k in raw}
    assert record["result"]["success"] is True and "replay" in record and "nothing" not in record
    assert record.get("text") == raw.get("text") and record.get("nothing", 1) == 1
    entry = ErrorEntry(error_code="X")
    entry["reasoning"] = "set like a dict key"
    assert entry.reasoning == "set like a dict key"
    with pytest.raises(KeyError):
        entry["nothing"]
