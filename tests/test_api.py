"""The public API surface: names, usage errors, sync/async/notebook use, wait=False, cancel."""

from __future__ import annotations

import asyncio
import inspect
import threading
import types

import pytest

import agent
from agent import Agent, RunStatus
from agent._api import default_agent
from agent.records.errors import InvalidRequestError, LLMNotConfiguredError, RunNotFoundError
from agent.records.runs import RunRequest
from agent.run.parameters import run_task_parameters
from agent.testing import PromptLLM, offline_llm

SEED_PROMPT = (
    "Apply for a job on behalf of this person: name: Chris P Bacon. email: chris@pbacon.com"
)


def test_public_names_are_what_the_package_exports():
    """Built from the package, as httpx's test does: every public name, sorted, nothing private."""
    public = sorted(
        name
        for name, value in vars(agent).items()
        if not name.startswith("_") and not isinstance(value, types.ModuleType)
    )
    assert agent.__all__ == public
    namespace: dict[str, object] = {}
    exec("from agent import *", namespace)
    assert sorted(n for n in namespace if not n.startswith("__")) == public
    # the names DESIGN.md promises
    promised = {"Agent", "run_task", "run_task_async", "get_run", "list_runs", "list_steps"}
    promised |= {"cancel_run", "TaskRun", "Step", "RunStatus", "RunRequest"}
    assert promised <= set(public)


def test_the_run_task_forms_share_one_declared_parameter_list(tmp_path):
    declared = inspect.signature(run_task_parameters).parameters
    for form in (agent.run_task, agent.run_task_async, Agent.run_task, Agent.run_task_async):
        shown = dict(inspect.signature(form).parameters)
        shown.pop("self", None)
        assert list(shown.values()) == list(declared.values()), form
    # every request field is a keyword, with the request's default; plus wait
    assert set(declared) == {*RunRequest.model_fields, "wait"}
    for name, field in RunRequest.model_fields.items():
        assert field.is_required() or declared[name].default == field.default, name
    with Agent(llm=offline_llm(), data_dir=tmp_path, record_video=False) as a:
        with pytest.raises(TypeError, match="'max_step'"):
            a.run_task("do it", "https://example.com", max_step=3)
        with pytest.raises(TypeError, match="positional"):
            a.run_task("do it", "https://example.com", None, "a title")


def test_no_model_configured_names_both_fixes(tmp_path, monkeypatch):
    monkeypatch.delenv("AGENT_LLM", raising=False)
    with Agent(data_dir=tmp_path, record_video=False) as bare:
        with pytest.raises(LLMNotConfiguredError, match=r"AGENT_LLM.*llm="):
            bare.run_task("do it", "https://example.com")
        assert bare.list_runs() == []


def test_bad_input_fails_before_any_run_exists(tmp_path):
    with Agent(llm=offline_llm(), data_dir=tmp_path, record_video=False) as a:
        with pytest.raises(InvalidRequestError, match="max_steps"):
            a.run_task("do it", "https://example.com", max_steps=0)
        with pytest.raises(InvalidRequestError, match="engine"):
            a.run_task("do it", "https://example.com", engine="skyvern-3")
        with pytest.raises(InvalidRequestError, match="page"):
            a.list_runs(page=0)
        assert a.list_runs() == []


def test_unknown_ids_are_clear_key_errors(tmp_path):
    with Agent(llm=offline_llm(), data_dir=tmp_path, record_video=False) as a:
        for call in (a.get_run, a.list_steps, a.cancel_run):
            with pytest.raises(RunNotFoundError, match="No run with id 'tsk_nope'"):
                call("tsk_nope")
        with pytest.raises(KeyError):
            a.get_run("tsk_nope")


def test_runs_are_listed_newest_first(tmp_path, server):
    with Agent(llm=offline_llm(), data_dir=tmp_path, store="sqlite", record_video=False) as a:
        first = a.run_task(SEED_PROMPT, server.url("/lever/apply"), engine="skyvern-1.0")
        second = a.run_task(SEED_PROMPT, server.url("/lever/apply"), engine="skyvern-1.0")
        assert [r.run_id for r in a.list_runs()] == [second.run_id, first.run_id]
        assert [r.run_id for r in a.list_runs(page=2, page_size=1)] == [first.run_id]
    assert (tmp_path / "agent.db").is_file()


async def test_wait_false_inside_a_running_loop_can_be_polled_and_canceled(tmp_path, server):
    """What a Jupyter cell does: the caller's loop is running while the Agent works."""
    gate = threading.Event()

    def slow(request):
        gate.set()
        return {"actions": [{"action_type": "WAIT", "seconds": 0.2}]}

    with Agent(llm=offline_llm(), data_dir=tmp_path, record_video=False) as a:
        run = await a.run_task_async(
            SEED_PROMPT,
            server.url("/lever/apply"),
            {"application_success": {"type": "boolean"}},
            engine="skyvern-1.0",
            wait=False,
        )
        assert run.status == RunStatus.queued
        for _ in range(300):
            run = a.get_run(run.run_id)
            if run.status.is_final:
                break
            await asyncio.sleep(0.1)
        assert run.status == RunStatus.completed and run.output == {"application_success": True}

    with Agent(llm=PromptLLM(slow), data_dir=tmp_path, record_video=False) as b:
        waiting = b.run_task(
            "wait", server.url("/products/"), engine="skyvern-1.0", max_steps=100, wait=False
        )
        assert await asyncio.to_thread(gate.wait, 30)
        assert b.cancel_run(waiting.run_id).status == RunStatus.canceled
        final = await asyncio.to_thread(b.wait, waiting.run_id, 30)
        assert final.status == RunStatus.canceled


def test_sync_methods_work_from_a_thread_without_a_loop(tmp_path, server):
    results = []

    def worker() -> None:
        with Agent(llm=offline_llm(), data_dir=tmp_path, record_video=False) as a:
            results.append(
                a.run_task(SEED_PROMPT, server.url("/lever/apply"), engine="skyvern-1.0").status
            )

    thread = threading.Thread(target=worker)
    thread.start()
    thread.join(120)
    assert results == [RunStatus.completed]


def test_module_functions_use_a_default_agent_from_the_environment(tmp_path, server, monkeypatch):
    import agent._api as api

    llm = offline_llm()
    monkeypatch.setenv("AGENT_LLM", llm.model_name)  # doubles are litellm model names too
    monkeypatch.setenv("AGENT_DATA_DIR", str(tmp_path))
    monkeypatch.setattr(api, "_default", None)
    try:
        run = agent.run_task(
            SEED_PROMPT,
            server.url("/lever/apply"),
            {"application_success": {"type": "boolean"}},
            engine="skyvern-1.0",
        )
        assert run.status == RunStatus.completed
        assert agent.get_run(run.run_id) == run
        assert [r.run_id for r in agent.list_runs()] == [run.run_id]
        assert len(agent.list_steps(run.run_id)) == 2
        assert agent.cancel_run(run.run_id).status == RunStatus.completed  # already final
        assert default_agent().data_dir == tmp_path.resolve()
        assert len(llm.calls) == 3  # plan, plan, verify with the output
    finally:
        if api._default is not None:
            api._default.close()
        monkeypatch.setattr(api, "_default", None)


def test_a_browser_that_cannot_launch_fails_the_run_with_the_fix(server, tmp_path):
    # the launch starts in the background when the run is submitted; its error still
    # reaches the run, with what to do about it
    with Agent(llm=offline_llm(), browser_path=str(tmp_path / "no-chromium")) as a:
        run = a.run_task(SEED_PROMPT, server.url("/lever/apply"), engine="skyvern-1.0")
    assert run.status == RunStatus.failed
    assert "BrowserNotInstalledError" in run.failure_reason
    assert "does not exist" in run.failure_reason and "AGENT_BROWSER_PATH" in run.failure_reason
