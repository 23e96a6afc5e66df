"""The batch helper on the local executor (the queue test covers it on Celery)."""

from __future__ import annotations

import pytest

from agent import Agent, InvalidRequestError, RunStatus
from tests.queue.policy import make_llm


def test_run_tasks_yields_each_run_as_it_finishes_with_progress(
    tmp_path, server, capsys, postgres_url
):
    url = server.url("/products/")
    requests = [
        {"prompt": "List the products", "url": url, "engine": "skyvern-1.0", "title": f"p{i}"}
        for i in range(3)
    ]
    requests.insert(1, {"prompt": "Keep waiting a while", "url": url, "engine": "skyvern-1.0"})
    requests[1]["max_steps"] = 4
    options = {"data_dir": tmp_path, "progress": False, "record_video": False}
    with Agent(llm=make_llm(), store=postgres_url, **options) as agent:  # local runs, shared store
        runs = list(agent.run_tasks(requests, concurrency=2, progress=True))
        assert len(runs) == 4 and len({r.run_id for r in runs}) == 4
        by_title = {r.title: r for r in runs}
        assert all(by_title[f"p{i}"].status == RunStatus.completed for i in range(3))
        slow = next(r for r in runs if r.run_request.max_steps == 4)
        assert slow.status == RunStatus.failed and "4" in slow.failure_reason  # step budget
        assert runs.index(slow) > 0  # a quick one finished first
        assert len(agent.list_runs(page_size=10)) == 4
    with Agent(store=postgres_url, data_dir=tmp_path) as other:  # another Agent reads them
        assert {r.run_id for r in other.list_runs()} == {r.run_id for r in runs}
        assert other.get_run(runs[0].run_id) == runs[0]
    lines = [line for line in capsys.readouterr().err.splitlines() if line.startswith("batch ")]
    assert [line.split()[1] for line in lines] == ["1/4", "2/4", "3/4", "4/4"]
    assert "3 completed, 1 failed" in lines[-1]


def test_a_bad_request_fails_the_batch_before_anything_runs(tmp_path):
    good = {"prompt": "List the products", "url": "http://127.0.0.1:1/"}
    with Agent(llm=make_llm(), data_dir=tmp_path, progress=False) as agent:
        with pytest.raises(InvalidRequestError, match=r"requests\[1\]\.engine: unknown engine"):
            list(agent.run_tasks([good, {**good, "engine": "skyvern-9"}]))
        with pytest.raises(InvalidRequestError, match=r"requests\[0\].*unknown request field"):
            list(agent.run_tasks([{**good, "colour": "red"}]))
        assert agent.list_runs() == []
