"""AI steps on a page the test holds (``agent.on(page)``), sync and async, with a model
stand-in that reads only the messages (``PromptLLM``)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel

from agent import Agent
from agent.page_steps import PageStepError
from agent.prompt_reading import Prompt
from agent.testing import PromptLLM


class Order(BaseModel):
    total: float
    delivery_date: str


def shop_policy(prompt: Prompt) -> dict[str, Any]:
    """Answer as a model would, from the prompt text alone."""
    if prompt.purpose == "page_act":
        instruction = (prompt.section("Instruction") or "").lower()
        actions: list[dict[str, Any]] = []
        if "name" in instruction:
            field = prompt.find(tag="input")
            assert field is not None
            typed = "{{CUSTOMER}}" if "customer" in instruction else "Ada"
            actions.append({"action_type": "INPUT_TEXT", "id": field.id, "text": typed})
        if "order" in instruction and "place" in instruction:
            button = prompt.find(tag="button", text="order")
            assert button is not None
            actions.append({"action_type": "CLICK", "id": button.id})
        return {"actions": actions}
    if prompt.purpose == "page_extract":
        total = re.search(r"\$([\d.]+)", prompt.page)
        date = re.search(r"Delivery date: (\S+)", prompt.page)
        return {
            "total": float(total.group(1)) if total else None,
            "delivery_date": date.group(1) if date else None,
        }
    if prompt.purpose == "page_observe":
        buttons = [e for e in prompt.elements if e.tag == "button"]
        return {"elements": [{"id": b.id, "description": f"button {b.text}"} for b in buttons]}
    if prompt.purpose == "page_check":
        quoted = re.search(r'"([^"]+)"', prompt.section("Statement") or "")
        holds = bool(quoted) and quoted.group(1) in prompt.page
        shown = re.search(r"Order placed for [^\n<]+|Please give a name", prompt.page)
        return {
            "holds": holds,
            "evidence": shown.group(0) if shown else "no message under the button",
        }
    raise AssertionError(f"unexpected purpose {prompt.purpose}")


@pytest.fixture
def llm() -> PromptLLM:
    return PromptLLM(shop_policy)


@pytest.fixture
def agent(llm: PromptLLM, tmp_path: Path) -> Iterator[Agent]:
    with Agent(
        llm=llm,
        data_dir=tmp_path,
        record_video=False,
        progress=False,
        secrets={"CUSTOMER": "Ada Lovelace"},
    ) as instance:
        yield instance


@pytest.fixture
def sync_page(server: Any) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    from agent.browser.lifecycle.launch import find_chromium

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=find_chromium())
        page = browser.new_page()
        page.goto(server.url("/onpage/"))
        yield page
        browser.close()


def test_each_step_on_a_sync_page(agent: Agent, llm: PromptLLM, sync_page: Any) -> None:
    ai = agent.on(sync_page)

    records = ai.act("type the customer name and place the order")
    assert [r.action_type for r in records] == ["INPUT_TEXT", "CLICK"]
    assert all(r.succeeded for r in records)
    assert sync_page.inner_text("#message") == "Order placed for Ada Lovelace"  # the secret, typed

    order = ai.extract("the order total and the delivery date", schema=Order)
    assert order == Order(total=42.5, delivery_date="2026-12-24")

    candidates = ai.observe("the button that places the order")
    assert candidates and candidates[0].selector == 'role=button[name="Place order"]'
    assert sync_page.locator(candidates[0].selector).count() == 1  # a usable, stable selector

    verdict = ai.check('the page says "Order placed for {{CUSTOMER}}"')  # what the model sees
    assert verdict.holds and "Order placed" in verdict.evidence
    with pytest.raises(AssertionError, match=r"the page showed: Order placed for \{\{CUSTOMER\}\}"):
        ai.check('the page says "Order placed for Grace"')

    assert [c.kind for c in ai.history] == ["act", "extract", "observe", "check", "check"]
    assert all(c.llm_calls == 1 and c.prompts and c.answers for c in ai.history)
    assert [p.purpose for p in llm.prompts] == [
        "page_act",
        "page_extract",
        "page_observe",
        "page_check",
        "page_check",
    ]
    # the secret never reaches a prompt, the cache or the run's files
    assert not any("Ada Lovelace" in p.text for p in llm.prompts)
    run = agent.get_run(ai.run_id)
    steps = agent.list_steps(ai.run_id)
    assert run.llm_calls == 5 and len(steps) == 5 and steps[-1].status.value == "failed"
    files = [p for p in Path(agent.data_dir).rglob("*") if p.is_file()]
    assert not any(b"Ada Lovelace" in p.read_bytes() for p in files)
    assert Path(ai.report()).is_file()


async def test_each_step_on_an_async_page(
    agent: Agent, llm: PromptLLM, page: Any, server: Any
) -> None:
    await page.goto(server.url("/onpage/"))
    ai = agent.on(page)
    records = await ai.act("type a name and place the order")
    assert [r.action_type for r in records] == ["INPUT_TEXT", "CLICK"]
    assert await page.inner_text("#message") == "Order placed for Ada"
    data = await ai.extract(
        "the order total",
        schema={
            "type": "object",
            "properties": {"total": {"type": "number"}},
            "required": ["total"],
        },
    )
    assert data["total"] == 42.5
    candidates = await ai.observe("the order button")
    assert await page.locator(candidates[0].selector).inner_text() == "Place order"
    assert (await ai.check('the page says "Order placed for Ada"')).holds
    assert len(llm.calls) == 4


def test_a_repeated_act_is_free_and_a_changed_page_costs_one_call(
    agent: Agent, llm: PromptLLM, sync_page: Any
) -> None:
    ai = agent.on(sync_page)
    sync_page.fill("input", "Ada")
    ai.act("place the order")
    assert len(llm.calls) == 1
    entry = json.loads(next((Path(agent.data_dir) / "page_cache").glob("*.json")).read_text())
    assert entry["actions"][0]["selector"] == 'role=button[name="Place order"]'

    sync_page.evaluate("document.getElementById('message').textContent = ''")
    records = ai.act("place the order")  # same instruction, same page: the cache does it
    assert len(llm.calls) == 1 and ai.history[-1].cached and ai.history[-1].llm_calls == 0
    assert records[0].succeeded and sync_page.inner_text("#message") == "Order placed for Ada"

    ai.act("place the order now")  # another instruction never reads that entry
    assert len(llm.calls) == 2

    # the page changes under the cache: the label is renamed
    sync_page.evaluate("document.querySelector('button').textContent = 'Confirm order'")
    sync_page.evaluate("document.getElementById('message').textContent = ''")
    ai.act("place the order")
    assert len(llm.calls) == 3 and not ai.history[-1].cached  # exactly one model call
    assert sync_page.inner_text("#message") == "Order placed for Ada"
    ai.act("place the order")  # the cache now holds the new locator
    assert len(llm.calls) == 3 and ai.history[-1].cached


def test_another_page_never_reads_the_entry(
    agent: Agent, llm: PromptLLM, sync_page: Any, server: Any
) -> None:
    ai = agent.on(sync_page)
    ai.act("place the order")
    sync_page.goto(server.url("/onpage/?copy=1"))
    ai.act("place the order")
    assert len(llm.calls) == 2


def test_a_spent_budget_stops_before_the_model_call(sync_page: Any, tmp_path: Path) -> None:
    llm = PromptLLM(shop_policy, priced_as="gpt-4o")  # a stand-in that costs what gpt-4o would
    with Agent(llm=llm, data_dir=tmp_path, record_video=False, progress=False) as agent:
        ai = agent.on(sync_page, max_cost=1e-9, cache=False)
        ai.observe("the order button")
        with pytest.raises(PageStepError, match="budget is spent"):
            ai.observe("the order button")
    assert len(llm.calls) == 1 and not ai.history[-1].ok


def test_bad_input_is_refused_before_anything_runs(agent: Agent, sync_page: Any) -> None:
    with pytest.raises(ValueError, match="max_cost"):
        agent.on(sync_page, max_cost=0)
    with pytest.raises(TypeError, match="Playwright Page"):
        agent.on("http://example.com")
    ai = agent.on(sync_page)
    with pytest.raises(ValueError, match="non-empty string"):
        ai.act("  ")
    with pytest.raises(TypeError, match="pydantic model class or a JSON Schema"):
        ai.extract("the total", schema=42)
