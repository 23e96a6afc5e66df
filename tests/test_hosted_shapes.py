"""The hosted SDK's shapes: statuses as plain strings, the whole request, errors, step output."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Literal

import pytest
from pydantic import BaseModel, ConfigDict, Field

from agent import RunStatus, StepStatus
from agent.records import ErrorEntry
from agent.records.errors import InvalidRequestError, InvalidTransitionError
from agent.records.runs import RunRequest, Step, TaskRun, build_request

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
    return action["action_type"] in ("complete", "extract") and any(r["success"] for r in results)


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


# -- the hosted field types, written out (values: ../shared/reference/skyvern-behaviour.md) -----

HOSTED_ACTION_TYPES = (
    "click input_text paste_text upload_file download_file select_option checkbox wait hover "
    "null_action solve_captcha terminate complete reload_page close_page new_tab switch_tab "
    "extract verification_code goto_url go_back go_forward scroll keypress move drag "
    "left_mouse execute_js"
).split()
HostedActionType = Literal[tuple(HOSTED_ACTION_TYPES)]  # type: ignore[valid-type]
HostedRunStatus = Literal[
    "created", "queued", "running", "paused", "timed_out", "failed", "terminated",
    "completed", "canceled",
]  # fmt: skip
HostedStepStatus = Literal["created", "running", "failed", "canceled", "completed"]


class _Hosted(BaseModel):
    model_config = ConfigDict(extra="ignore", strict=True)


class HostedSelectOption(_Hosted):
    label: str | None = None
    value: str | None = None
    index: int | None = None


class HostedUserDefinedError(_Hosted):
    error_code: str
    reasoning: str
    confidence_float: float = Field(ge=0, le=1)


class HostedAction(_Hosted):
    action_type: HostedActionType
    status: Literal["pending", "skipped", "failed", "completed"] = "pending"
    element_id: str | None = None
    reasoning: str | None = None
    text: str | None = None
    option: HostedSelectOption | None = None
    file_url: str | None = None
    url: str | None = None
    keys: list[str] | None = None
    tab_index: int | None = None
    errors: list[HostedUserDefinedError] | None = None
    data_extraction_goal: str | None = None


class HostedActionResult(_Hosted):
    success: bool
    exception_type: str | None = None
    exception_message: str | None = None
    data: dict[str, Any] | list[Any] | str | None = None


class HostedAgentStepOutput(_Hosted):
    actions_and_results: list[tuple[HostedAction, list[HostedActionResult]]] | None = None
    errors: list[HostedUserDefinedError] = []
    browser_metadata: dict[str, Any] | None = None
    step_exception: str | None = None


class HostedStep(_Hosted):
    created_at: str
    modified_at: str
    task_id: str = Field(pattern=r"^tsk_")
    step_id: str = Field(pattern=r"^stp_")
    status: HostedStepStatus
    output: HostedAgentStepOutput | None = None
    order: int
    is_last: bool
    retry_index: int = 0
    organization_id: str | None = None
    input_token_count: int = 0
    output_token_count: int = 0
    step_cost: float = 0


class HostedFileInfo(_Hosted):
    url: str
    checksum: str | None = None
    filename: str | None = None


class HostedTaskRunRequest(_Hosted):
    prompt: str
    url: str | None = None
    engine: Literal["skyvern-1.0", "skyvern-2.0", "openai-cua", "anthropic-cua", "ui-tars"]
    title: str | None = None
    proxy_location: str | dict[str, Any] | None = None
    data_extraction_schema: dict[str, Any] | list[Any] | str | None = None
    error_code_mapping: dict[str, str] | None = None
    max_steps: int | None = None
    webhook_url: str | None = None
    totp_identifier: str | None = None
    totp_url: str | None = None
    browser_session_id: str | None = None
    publish_workflow: bool = False
    browser_profile_id: str | None = None
    start_fresh_browser: bool = False
    model: dict[str, Any] | None = None
    extra_http_headers: dict[str, str] | None = None
    include_action_history_in_verification: bool | None = None
    max_screenshot_scrolls: int | None = None
    browser_address: str | None = None
    run_with: Literal["agent", "code"] | None = None


class HostedTaskRunResponse(_Hosted):
    run_id: str = Field(pattern=r"^tsk_")
    status: HostedRunStatus
    output: dict[str, Any] | list[Any] | str | None = None
    downloaded_files: list[HostedFileInfo] | None = None
    recording_url: str | None = None
    screenshot_urls: list[str] | None = None
    failure_reason: str | None = None
    created_at: str
    modified_at: str
    queued_at: str | None = None
    started_at: str | None = None
    finished_at: str | None = None
    browser_session_id: str | None = None
    browser_profile_id: str | None = None
    max_screenshot_scrolls: int | None = None
    errors: list[dict[str, Any]] | None = None
    step_count: int | None = None
    run_type: Literal["task_v1", "task_v2", "task_v3", "openai_cua", "anthropic_cua", "ui_tars"]
    run_request: HostedTaskRunRequest | None = None


def _hosted(model: type[BaseModel], data: Any) -> Any:
    """Validate ``data`` as the hosted SDK reads a response: from its JSON text."""
    return model.model_validate_json(json.dumps(data))


SAMPLE_ACTIONS: list[dict[str, Any]] = [
    {"action_type": "CLICK", "id": "3", "reasoning": "the button"},
    {"action_type": "INPUT_TEXT", "id": "4", "text": "Ada", "reasoning": "the name"},
    {"action_type": "SELECT_OPTION", "id": "5", "option": {"label": "Blue"}},
    {"action_type": "UPLOAD_FILE", "id": "6", "file_url": "file:///tmp/cv.pdf"},
    {"action_type": "HOVER", "id": "7"},
    {"action_type": "KEYPRESS", "keys": ["Enter"]},
    {"action_type": "SCROLL", "direction": "down"},
    {"action_type": "WAIT", "seconds": 1},
    {"action_type": "GOTO_URL", "url": "http://127.0.0.1/next"},
    {"action_type": "GO_BACK"},
    {"action_type": "RELOAD_PAGE"},
    {"action_type": "NEW_TAB", "url": "http://127.0.0.1/tab"},
    {"action_type": "SWITCH_TAB", "tab_index": 0},
    {"action_type": "CLOSE_PAGE", "tab_index": 1},
    {"action_type": "SOLVE_CAPTCHA"},
    {"action_type": "EXTRACT", "data_extraction_goal": "the price"},
    {"action_type": "TERMINATE", "reason": "no such page", "errors": []},
    {"action_type": "COMPLETE", "reason": "done"},
]


def _sample_step(action: dict[str, Any], status: StepStatus, success: bool) -> dict[str, Any]:
    from agent.browser.acting.action_types import parse_actions

    parsed, notes = parse_actions({"actions": [action]})
    assert not notes, notes
    record = parsed[0].model_dump(mode="json", exclude_none=True)
    record["result"] = {"success": success, "message": "" if success else "it did not work"}
    step = Step(task_id="tsk_1", status=StepStatus.running, url="http://127.0.0.1/x")
    step.actions.append(record)
    return json.loads(step.transition(status, is_last=True).model_dump_json(exclude_none=True))


@pytest.mark.parametrize("action", SAMPLE_ACTIONS, ids=lambda a: a["action_type"])
@pytest.mark.parametrize(
    ("status", "success"), [(StepStatus.completed, True), (StepStatus.failed, False)]
)
def test_sample_steps_validate_against_the_hosted_step(action, status, success):
    step = _sample_step(action, status, success)
    hosted = _hosted(HostedStep, step)
    assert hosted.output is not None and hosted.output.actions_and_results
    hosted_action, results = hosted.output.actions_and_results[0]
    assert hosted_action.action_type == action["action_type"].lower()
    assert hosted_action.status == ("completed" if success else "failed")
    assert hosted_action.element_id == action.get("id")
    assert [r.success for r in results] == [success]


def test_steps_of_every_status_validate_and_stored_upper_case_outputs_read_hosted():
    for status in StepStatus:
        step = Step(task_id="tsk_1", status=status)
        HostedStep.model_validate_json(step.model_dump_json())
    old = _sample_step(SAMPLE_ACTIONS[1], StepStatus.completed, True)
    old["output"]["actions_and_results"][0][0]["action_type"] = "INPUT_TEXT"  # an older store
    again = json.loads(Step.model_validate(old).model_dump_json())
    assert again["output"]["actions_and_results"][0][0]["action_type"] == "input_text"


@pytest.mark.parametrize("status", list(RunStatus), ids=str)
def test_runs_of_every_status_validate_against_the_hosted_response(status):
    request = build_request(
        prompt="Buy the blue one",
        url="http://127.0.0.1/shop",
        data_extraction_schema={"type": "object"},
        error_code_mapping={"sold_out": "the item is sold out"},
        max_steps=5,
    )
    run = TaskRun(run_id="tsk_1", status=status, run_type="task_v1", run_request=request)
    if status.is_final:
        run = run.model_copy(
            update={
                "failure_reason": None if status == "completed" else "it went wrong",
                "errors": [ErrorEntry(error_code="sold_out", reasoning="the page said so")],
                "step_count": 3,
            }
        )
    hosted = HostedTaskRunResponse.model_validate_json(run.model_dump_json())
    assert hosted.status == status.value and hosted.run_request is not None
    for entry in hosted.errors or []:
        _hosted(HostedUserDefinedError, entry)


@pytest.mark.parametrize(
    "name", ["hosted_task_run_request.json", "hosted_task_run_request_exclude_none.json"]
)
def test_requests_validate_against_the_hosted_request(name):
    data = json.loads((DATA / name).read_text())
    HostedTaskRunRequest.model_validate_json(build_request(**data).model_dump_json())
