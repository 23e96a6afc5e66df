"""The request, run and step models: every seed field, every bad input, the lifecycle."""

from __future__ import annotations

import re

import pytest
from pydantic import BaseModel

from agent.records.errors import InvalidRequestError, InvalidTransitionError
from agent.records.runs import (
    RunRequest,
    RunStatus,
    Step,
    StepStatus,
    TaskRun,
    build_request,
    new_id,
)

SEED_REQUEST_FIELDS = {
    "prompt",
    "url",
    "title",
    "engine",
    "proxy_location",
    "data_extraction_schema",
    "error_code_mapping",
    "max_steps",
    "webhook_url",
    "totp_identifier",
    "totp_url",
    "browser_session_id",
    "publish_workflow",
}
SEED_RESPONSE_FIELDS = {
    "run_id",
    "status",
    "output",
    "downloaded_files",
    "recording_url",
    "failure_reason",
    "created_at",
    "modified_at",
    "run_type",
    "run_request",
}
SEED_STEP_FIELDS = {
    "organization_id",
    "task_id",
    "step_id",
    "status",
    "order",
    "retry_index",
    "input_token_count",
    "output_token_count",
}


def test_request_has_every_seed_field_with_its_default():
    request = RunRequest(prompt="Apply for a job")
    dumped = request.model_dump()
    assert SEED_REQUEST_FIELDS <= set(dumped)  # fields beyond the seed come after, all None
    assert {
        k: dumped[k] for k in ("secrets", "allowed_domains", "blocked_domains")
    } == dict.fromkeys(("secrets", "allowed_domains", "blocked_domains"))
    assert {k: dumped[k] for k in SEED_REQUEST_FIELDS} == {
        "prompt": "Apply for a job",
        "url": None,
        "title": None,
        "engine": "skyvern-2.0",
        "proxy_location": "RESIDENTIAL",
        "data_extraction_schema": None,
        "error_code_mapping": None,
        "max_steps": None,
        "webhook_url": None,
        "totp_identifier": None,
        "totp_url": None,
        "browser_session_id": None,
        "publish_workflow": False,
    }


def test_seed_example_request_is_accepted():
    request = build_request(
        prompt="Apply for a job on behalf of this person: name: Chris P Bacon. "
        "email: chris@pbacon.com",
        url="https://jobs.lever.co/leverdemo-8/45d39614-464a-4b62-a5cd-8683ce4fb80a/apply",
        title="Job Application Task",
        engine="skyvern-2.0",
        proxy_location="RESIDENTIAL",
        data_extraction_schema={"application_success": {"type": "boolean"}},
    )
    assert request.run_type == "task_v2"
    assert request.schema_for_output == {
        "type": "object",
        "properties": {"application_success": {"type": "boolean"}},
    }
    # the request is kept as given
    assert request.data_extraction_schema == {"application_success": {"type": "boolean"}}


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"prompt": ""}, "prompt", "prompt: prompt is empty; say what the agent should do"),
        ({"prompt": "   "}, "prompt", "prompt: prompt is empty; say what the agent should do"),
        ({"url": "not a url"}, "url", "no proper host name"),
        ({"url": "ftp://example.com/file"}, "url", "scheme 'ftp' is not supported"),
        ({"url": "http://example.com:99999"}, "url", "not a valid URL"),
        (
            {"engine": "skyvern-9"},
            "engine",
            "engine: unknown engine 'skyvern-9'; use one of skyvern-1.0, skyvern-2.0",
        ),
        ({"max_steps": 0}, "max_steps", "max_steps: max_steps must be at least 1 (got 0)"),
        ({"max_steps": -3}, "max_steps", "max_steps must be at least 1 (got -3)"),
        (
            {"data_extraction_schema": {"type": "nope"}},
            "data_extraction_schema",
            "not a valid JSON Schema",
        ),
        (
            {"data_extraction_schema": {"type": "object", "properties": {"a": {"type": 5}}}},
            "data_extraction_schema",
            "not a valid JSON Schema",
        ),
        ({"webhook_url": "mailto:me@example.com"}, "webhook_url", "scheme 'mailto'"),
        ({"totp_url": "file:///tmp/x"}, "totp_url", "must be an http:// or https:// URL"),
        ({"browser_session_id": "sess_123"}, "browser_session_id", "start with 'pbs_'"),
        ({"error_code_mapping": {"": "x"}}, "request", "empty error code"),
        ({"surprise": 1}, "surprise", "unknown request field 'surprise'"),
    ],
)
def test_bad_input_raises_a_clear_error_naming_the_field(fields, field, message):
    with pytest.raises(InvalidRequestError) as info:
        build_request(**{"prompt": "do it", **fields})
    assert info.value.field == field
    assert message in str(info.value)
    assert isinstance(info.value, ValueError)


def test_url_without_scheme_gets_https():
    assert build_request(prompt="x", url="example.com/path").url == "https://example.com/path"


def test_pydantic_model_class_is_accepted_as_schema():
    class Application(BaseModel):
        application_success: bool

    request = build_request(prompt="x", data_extraction_schema=Application)
    assert request.data_extraction_schema["properties"]["application_success"]["type"] == "boolean"


def _run(status: RunStatus = RunStatus.created) -> TaskRun:
    return TaskRun(
        run_id=new_id("tsk"),
        status=status,
        run_type="task_v1",
        run_request=RunRequest(prompt="x", engine="skyvern-1.0"),
    )


def test_run_json_has_the_seed_field_names_and_iso_utc_times():
    dumped = _run().model_dump(mode="json")
    assert SEED_RESPONSE_FIELDS <= set(dumped)
    assert list(dumped)[:10] == [
        "run_id",
        "status",
        "output",
        "downloaded_files",
        "recording_url",
        "failure_reason",
        "created_at",
        "modified_at",
        "run_type",
        "run_request",
    ]
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z", dumped["created_at"])
    assert SEED_REQUEST_FIELDS <= set(dumped["run_request"])


def test_ids_have_their_prefixes_and_sort_by_creation():
    ids = [new_id("tsk") for _ in range(50)]
    assert all(re.fullmatch(r"tsk_\d+", i) for i in ids)
    assert len(set(ids)) == 50
    assert re.fullmatch(r"tsk_v2_\d+", new_id("tsk_v2"))
    assert Step(task_id="tsk_1").step_id.startswith("stp_")


@pytest.mark.parametrize(
    ("old", "new"),
    [
        (RunStatus.created, RunStatus.queued),
        (RunStatus.created, RunStatus.running),
        (RunStatus.queued, RunStatus.running),
        (RunStatus.queued, RunStatus.canceled),
        (RunStatus.running, RunStatus.completed),
        (RunStatus.running, RunStatus.canceled),
        (RunStatus.running, RunStatus.timed_out),
    ],
)
def test_legal_transitions(old, new):
    assert _run(old).transition(new, failure_reason="why").status == new


@pytest.mark.parametrize(
    ("old", "new"),
    [
        (RunStatus.completed, RunStatus.running),
        (RunStatus.failed, RunStatus.completed),
        (RunStatus.canceled, RunStatus.completed),
        (RunStatus.created, RunStatus.completed),
        (RunStatus.terminated, RunStatus.failed),
        (RunStatus.queued, RunStatus.created),
    ],
)
def test_illegal_transitions_raise(old, new):
    with pytest.raises(InvalidTransitionError, match=f"from {old.value} to {new.value}"):
        _run(old).transition(new, failure_reason="why")


def test_failed_and_terminated_need_a_reason_that_is_never_overwritten():
    running = _run(RunStatus.running)
    with pytest.raises(InvalidTransitionError, match="needs a failure_reason"):
        running.transition(RunStatus.failed)
    failed = running.transition(RunStatus.failed, failure_reason="first")
    assert failed.finished_at is not None and failed.started_at is None
    assert (
        failed.model_copy().transition(RunStatus.failed, failure_reason="second").failure_reason
        == "first"
    )


def test_step_has_the_seed_fields_and_lifecycle():
    step = Step(task_id="tsk_1")
    assert SEED_STEP_FIELDS <= set(step.model_dump())
    assert step.organization_id == "o_local" and step.order == 0 and step.retry_index == 0
    done = step.transition(StepStatus.running).transition(StepStatus.completed)
    with pytest.raises(InvalidTransitionError):
        done.transition(StepStatus.running)
