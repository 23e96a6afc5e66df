"""The hosted SDK's shapes: statuses as plain strings, the whole request, errors, step output."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from agent import RunStatus, StepStatus
from agent.errors import InvalidRequestError, InvalidTransitionError
from agent.models import RunRequest, Step, TaskRun, build_request

DATA = Path(__file__).parent / "data"
HOSTED_FIELDS = {
    "browser_profile_id": None,
    "start_fresh_browser": False,
    "model": None,
    "extra_http_headers": None,
    "cdp_connect_headers": None,
    "include_action_history_in_verification": False,
    "max_screenshot_scrolls": None,
    "browser_address": None,
    "run_with": None,
    "file_ids": None,
}


def test_statuses_print_format_and_encode_as_their_values():
    status = RunStatus.completed
    assert f"{status}" == "completed" and str(status) == "completed"
    assert f"{StepStatus.failed}" == "failed" and str(StepStatus.running) == "running"
    assert json.dumps({"status": status}) == '{"status": "completed"}'
    assert status == "completed" and "completed" == status
    assert {"completed": 1}[status] == 1  # hashes as its string


def test_is_final_as_a_property_and_as_the_hosted_method():
    assert RunStatus.timed_out.is_final() is True and RunStatus.paused.is_final() is False
    assert RunStatus.canceled.is_final and not RunStatus.running.is_final
    final = {s.value for s in RunStatus if s.is_final()}
    assert final == {"completed", "failed", "terminated", "canceled", "timed_out"}


def _run(status: RunStatus) -> TaskRun:
    return TaskRun(
        run_id="tsk_1", status=status, run_type="task_v1", run_request=RunRequest(prompt="x")
    )


def test_paused_transitions():
    running = _run(RunStatus.running)
    paused = running.transition(RunStatus.paused, question="Which size?")
    assert paused.status == "paused" and paused.question == "Which size?"
    assert paused.transition(RunStatus.running).status == "running"
    assert paused.transition(RunStatus.timed_out).finished_at is not None
    assert paused.transition(RunStatus.canceled).status == "canceled"
    for early in (RunStatus.created, RunStatus.queued):
        with pytest.raises(InvalidTransitionError):
            _run(early).transition(RunStatus.paused)
    with pytest.raises(InvalidTransitionError):
        paused.transition(RunStatus.completed)  # it resumes first, then completes
    with pytest.raises(InvalidTransitionError):
        _run(RunStatus.completed).transition(RunStatus.paused)


def test_hosted_request_fields_have_their_hosted_defaults():
    dumped = RunRequest(prompt="x").model_dump()
    assert {k: dumped[k] for k in HOSTED_FIELDS} == HOSTED_FIELDS


@pytest.mark.parametrize(
    "name", ["hosted_task_run_request.json", "hosted_task_run_request_exclude_none.json"]
)
def test_dumps_of_the_hosted_request_validate_unchanged(name):
    data = json.loads((DATA / name).read_text())
    request = build_request(**data)
    echoed = request.model_dump(mode="json")
    for key, value in data.items():
        if key == "cdp_connect_headers":
            assert echoed[key] == {k: "***" for k in value}  # masked, as hosted
            assert request.cdp_connect_headers == value  # the real value stays usable
        else:
            assert echoed[key] == value, key


@pytest.mark.parametrize(
    ("fields", "words"),
    [
        ({"engine": "skyvern-3.0"}, "use one of skyvern-1.0, skyvern-2.0"),
        ({"engine": "openai-cua"}, "use one of skyvern-1.0, skyvern-2.0"),
        ({"start_fresh_browser": True, "browser_profile_id": "bp_1"}, "cannot be combined"),
        ({"start_fresh_browser": True, "browser_address": "http://127.0.0.1:9222"}, "combined"),
        ({"browser_address": "chrome://inspect"}, "not a CDP address"),
        ({"browser_profile_id": "profile-1"}, "start with 'bp_'"),
        ({"run_with": "robot"}, "'agent' or 'code'"),
        ({"file_ids": ["resume.pdf"]}, "Agent.upload_file"),
        ({"max_screenshot_scrolls": -1}, "0 or more"),
        ({"model": {"temperature": 0}}, "model_name"),
        ({"timeout_seconds": 0}, "above 0"),
        ({"max_cost": -1.0}, "above 0"),
    ],
)
def test_bad_hosted_fields_fail_with_the_fix(fields, words):
    with pytest.raises(InvalidRequestError, match=words.replace("(", r"\(")):
        build_request(prompt="x", **fields)


def test_errors_entries_carry_confidence_float():
    run = _run(RunStatus.running).model_copy(
        update={"errors": [{"error_code": "login_failed", "reasoning": "rejected"}]}
    )
    run = TaskRun.model_validate(run.model_dump())
    assert run.errors == [
        {
            "error_code": "login_failed",
            "reasoning": "rejected",
            "confidence_float": 1.0,
            "error_type": "SYSTEM_DEFINED_ERROR",
        }
    ]
    entry = TaskRun.model_validate(
        _run(RunStatus.running).model_dump()
        | {"errors": [{"error_code": "x", "reasoning": "y", "confidence_float": 7}]}
    ).errors[0]
    assert entry["confidence_float"] == 1.0  # kept within [0, 1] as the hosted model demands


def _hosted_is_success(step: dict) -> bool:
    """The hosted SDK's ``Step.is_success``, on a step's JSON."""
    output = step.get("output")
    return (
        step["status"] == "completed" and bool(output) and output["actions_and_results"] is not None
    )


def _hosted_is_goal_achieved(step: dict) -> bool:
    """The hosted SDK's ``Step.is_goal_achieved`` (no navigation goal), on a step's JSON."""
    if not _hosted_is_success(step) or not step["output"]["actions_and_results"]:
        return False
    action, results = step["output"]["actions_and_results"][-1]
    return action["action_type"] in ("COMPLETE", "EXTRACT") and any(r["success"] for r in results)


def test_a_completed_step_has_output_the_hosted_helpers_read_as_success():
    step = Step(task_id="tsk_1", status=StepStatus.running, url="http://127.0.0.1/x")
    step.actions.append(
        {"action_type": "CLICK", "id": "3", "result": {"success": True, "message": ""}}
    )
    step.actions.append({"action_type": "COMPLETE", "result": {"success": True, "message": ""}})
    assert step.output is None  # a running step has none, as hosted
    done = json.loads(step.transition(StepStatus.completed).model_dump_json())
    assert _hosted_is_success(done) and _hosted_is_goal_achieved(done)
    assert done["output"]["browser_metadata"] == {"website_url": "http://127.0.0.1/x"}
    failed = step.transition(StepStatus.failed, failure_reason="click failed")
    assert failed.output.step_exception == "click failed"
    assert not _hosted_is_success(json.loads(failed.model_dump_json()))
