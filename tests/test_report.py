"""The HTML report and the Jupyter cards, checked on a real run and in a real Chromium."""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from markupsafe import escape

from agent import Agent, RunRequest, RunStatus, Step, StepStatus, TaskRun, UsageError
from agent.records.runs import FileInfo
from agent.run.run_folder import keep_run
from agent.testing import offline_llm
from agent.ui.report import report_for, write_report
from agent.ui.report_index import index_for

PROMPT = "Apply for a job on behalf of this person: name: Chris P Bacon. email: chris@pbacon.com"
SCHEMA = {"application_success": {"type": "boolean"}}
EVIL = '<script>window.pwned = 1</script><img src=x onerror="window.pwned = 2">'
IMAGES = "[...document.images].map(i => i.complete && i.naturalWidth > 0)"
HREFS = "els => els.map(e => e.getAttribute('href'))"


@pytest.fixture(scope="module")
def job_run(
    server: Any, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Agent, TaskRun]]:
    """One finished skyvern-1.0 run of the job application, shared by the module."""
    data_dir = tmp_path_factory.mktemp("report-data")
    with Agent(llm=offline_llm(), data_dir=data_dir, record_video=False) as agent:
        run = agent.run_task(PROMPT, server.url("/lever/apply"), SCHEMA, engine="skyvern-1.0")
        assert run.status == RunStatus.completed, run.failure_reason
        yield agent, run


async def test_report_opens_offline_with_every_step(job_run: Any, page: Any) -> None:
    agent, run = job_run
    steps = agent.list_steps(run.run_id)
    path = report_for(agent, run.run_id)
    assert path == agent.data_dir / "runs" / run.run_id / "report.html"

    fetched: list[str] = []
    page.on("request", lambda request: fetched.append(request.url))
    await page.goto(path.as_uri())
    assert await page.inner_text("header .badge") == "completed"
    assert json.loads(await page.inner_text("#output")) == {"application_success": True}
    assert PROMPT in await page.inner_text("#request")
    assert await page.locator("article.step").count() == len(steps) == 2
    for step in steps:
        article = page.locator(f"#step-{step.order}-{step.retry_index}")
        text = await article.inner_text()
        assert step.status.value in text and f"{step.input_token_count} in" in text
        for action in step.actions:
            assert action["action_type"] in text and action["result"]["message"] in text
    first = await page.inner_text("#step-0-0")
    assert "Chris P Bacon" in first and "Submit application" in first and "the goal gives" in first
    assert await page.evaluate(IMAGES) == [True, True]
    assert all(url.startswith(("file:", "data:")) for url in fetched)  # nothing from outside
    hrefs = await page.eval_on_selector_all("a[href]", HREFS)
    assert hrefs and all((path.parent / href).is_file() for href in hrefs)  # relative, and there


def _without_written_at(html: str) -> str:
    return re.sub(r"Written [^<]* by agent.ui.report", "", html)


def test_run_report_is_the_full_report(job_run: Any) -> None:
    agent, run = job_run
    folder = agent.data_dir / "runs" / run.run_id
    kept = sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*.json"))
    assert (
        "run.json" in kept and "steps/000-0/step.json" in kept and "steps/001-0/step.json" in kept
    )
    from_run = Path(run.report()).read_text()  # the run object alone: no Agent, no store
    full = report_for(agent, run.run_id).read_text()
    assert _without_written_at(from_run) == _without_written_at(full)
    assert "no step records" not in from_run and ">planned<" not in from_run
    for step in agent.list_steps(run.run_id):
        assert f"{step.input_token_count} in" in from_run
        assert all(str(escape(a["result"]["message"])) in from_run for a in step.actions)


def test_run_report_from_a_stale_run_object_uses_the_folder_record(job_run: Any) -> None:
    _, run = job_run
    stale = run.model_copy(
        update={"status": RunStatus.running, "output": None, "modified_at": run.created_at}
    )
    html = Path(stale.report()).read_text()
    assert '<span class="badge good">completed</span>' in html and "application_success" in html


async def test_report_of_a_folder_without_records_shows_planned_actions(
    job_run: Any, tmp_path: Path, page: Any
) -> None:
    agent, run = job_run
    copy = tmp_path / "runs" / run.run_id
    shutil.copytree(agent.data_dir / "runs" / run.run_id, copy)
    for record in copy.rglob("*.json"):
        if record.name in ("step.json", "run.json"):
            record.unlink()
    path = write_report(run, run_dir=copy)
    await page.goto(path.as_uri())
    assert "keeps no step records" in await page.inner_text(".note")
    assert await page.locator("article.step").count() == 2
    assert "INPUT_TEXT" in await page.inner_text("#step-0-0")
    assert await page.evaluate(IMAGES) == [True, True]


async def test_runs_index_links_every_report_and_filters_by_status(job_run: Any, page: Any) -> None:
    agent, run = job_run
    failed = TaskRun(
        run_id="tsk_404",
        status=RunStatus.failed,
        run_type="task_v1",
        failure_reason="The page said " + EVIL,
        run_request=RunRequest(prompt="Find a missing page", url="https://example.com"),
    )
    keep_run(agent.data_dir / "runs" / failed.run_id, failed)  # known only from its folder
    path = index_for(agent)
    assert path == agent.data_dir / "index.html"

    fetched: list[str] = []
    page.on("request", lambda request: fetched.append(request.url))
    await page.goto(path.as_uri())
    rows = page.locator("tr.run")
    assert await rows.count() == 2
    assert await page.evaluate("window.pwned") is None
    assert EVIL in await page.inner_text("#tsk_404 .reason")
    hrefs = await page.eval_on_selector_all("tr.run a[href]", HREFS)
    assert hrefs == ["runs/tsk_404/report.html", f"runs/{run.run_id}/report.html"]
    assert all((path.parent / href).is_file() for href in hrefs)

    async def visible() -> list[str]:
        return await page.eval_on_selector_all(
            "tr.run", "rows => rows.filter(r => r.offsetParent !== null).map(r => r.id)"
        )

    assert await visible() == ["tsk_404", run.run_id]
    await page.click("label[for=show-failed]")
    assert await visible() == ["tsk_404"]
    await page.click("label[for=show-completed]")
    assert await visible() == [run.run_id]
    assert await page.inner_text("label[for=show-completed]") == "completed (1)"
    await page.click("label[for=show-all]")
    assert len(await visible()) == 2
    await page.click(f"a[href='runs/{run.run_id}/report.html']")
    assert await page.inner_text("header .badge") == "completed"
    assert all(url.startswith(("file:", "data:")) for url in fetched)  # nothing from outside


async def test_report_escapes_untrusted_text_and_marks_boxes(
    job_run: Any, tmp_path: Path, page: Any
) -> None:
    _, real = job_run
    screenshot = real.screenshot_urls[-1]  # step 0's picture
    run = TaskRun(
        run_id="tsk_1",
        status=RunStatus.failed,
        run_type="task_v1",
        title=EVIL,
        run_request=RunRequest(prompt="Find " + EVIL, url="https://example.com"),
        output={"note": EVIL},
        failure_reason=EVIL,
        recording_url="javascript:alert(1)",
        downloaded_files=[FileInfo(url="javascript:alert(1)", checksum="0", filename=EVIL)],
        errors=[{"error_code": EVIL, "reasoning": EVIL}],
        blocks=[{"goal": EVIL}],
    )
    element = {
        "id": "1",
        "tag": "a",
        "text": EVIL,
        "box": {"x": 128, "y": 80, "width": 256, "height": 40},
    }
    step = Step(
        task_id="tsk_1",
        status=StepStatus.failed,
        url="javascript:alert(1)",
        reasoning=EVIL,
        failure_reason=EVIL,
        artifacts={"screenshot": screenshot, "plan-answer": "javascript:alert(1)"},
        actions=[
            {
                "action_type": "CLICK",
                "id": "1",
                "reasoning": EVIL,
                "element": element,
                "result": {"success": False, "message": EVIL},
            }
        ],
    )
    path = write_report(run, tmp_path / "evil.html", steps=[step])
    html = path.read_text()
    assert "<script>window" not in html and "<img src=x" not in html

    await page.goto(path.as_uri())
    assert await page.evaluate("window.pwned") is None
    assert json.loads(await page.inner_text("#output")) == {"note": EVIL}
    assert EVIL in await page.inner_text(".failure")
    hrefs = await page.eval_on_selector_all("a[href]", HREFS)
    assert not any(h.lower().startswith("javascript") for h in hrefs)
    mark = page.locator(".mark")
    assert await mark.count() == 1 and await mark.inner_text() == "1"
    style = await mark.get_attribute("style")
    assert "left: 10.000%" in style and "width: 20.000%" in style  # 128 and 256 of 1280 px
    assert await page.evaluate(IMAGES) == [True]


def test_repr_html_of_run_and_step(job_run: Any) -> None:
    agent, run = job_run
    report = report_for(agent, run.run_id)
    html = run._repr_html_()
    assert "completed" in html and "application_success" in html
    assert "data:image/" in html and report.as_uri() in html

    evil = run.model_copy(update={"output": {"x": EVIL}, "title": EVIL, "failure_reason": EVIL})
    html = evil._repr_html_()
    assert "<script>" not in html and "<img src=x" not in html
    assert "&lt;script&gt;window.pwned = 1&lt;/script&gt;" in html

    step = agent.list_steps(run.run_id)[0]
    html = step._repr_html_()
    assert "INPUT_TEXT" in html and "Chris P Bacon" in html and "data:image/" in html
    html = step.model_copy(update={"reasoning": EVIL, "url": EVIL})._repr_html_()
    assert "<script>" not in html and "&lt;script&gt;" in html


def test_report_of_a_run_without_files_needs_a_path(tmp_path: Path) -> None:
    run = TaskRun(
        run_id="tsk_2",
        status=RunStatus.created,
        run_type="task_v1",
        run_request=RunRequest(prompt="Nothing yet"),
    )
    with pytest.raises(UsageError, match="pass path="):
        write_report(run)
    html = write_report(run, tmp_path / "r.html").read_text()
    assert "No steps were recorded." in html and "chosen by the model" in html
