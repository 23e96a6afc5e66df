"""A skyvern-2.0 loop block: the same goal on each item of a list the page showed.

The planner names the list and the goal for each item; the block reads the list
(:data:`ITEMS_SCHEMA`, at most :data:`MAX_LOOP_ITEMS`), then runs the step loop once per
item from the item's own page, collecting each item's output or error. One item failing
never stops the others; the budget running out does.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urljoin

from playwright.async_api import Error as PlaywrightError

from agent.records.runs import RunStatus
from agent.run.run_context import Outcome, RunContext
from engines.v1 import run_steps

ITEMS_SCHEMA = {
    "type": "object",
    "properties": {
        "items": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {"label": {"type": "string"}, "url": {"type": ["string", "null"]}},
                "required": ["label"],
            },
        }
    },
    "required": ["items"],
}
MAX_LOOP_ITEMS = 20


async def run_items(
    ctx: RunContext,
    items: list[dict[str, Any]],
    *,
    item_goal: str,
    item_schema: Any,
    block: int,
    budget: int,
) -> Outcome:
    """Run ``item_goal`` on each item in turn; completed when at least one item succeeded."""
    start_url = ctx.page.url
    results: list[Any] = []
    failures = 0
    for item in items:
        if ctx.is_canceled():
            return Outcome(RunStatus.canceled)
        if ctx.next_order >= budget or ctx.steps_left() == 0:
            # Items left undone: the block did not do its job, whatever the validator would say.
            summary = (
                f"Max steps exceeded: the step budget ran out after {len(results)} of "
                f"{len(items)} items"
            )
            return Outcome(
                RunStatus.failed, output=results, summary=summary, failure_reason=summary
            )
        # An item without a link is handled from the list page, not where the last one ended.
        target = urljoin(start_url, str(item.get("url") or start_url))
        refused = ctx.tabs.policy.refusal(target)  # page-given URLs: the model's, as any
        if refused is not None:
            failures += 1
            results.append({"item": item.get("label"), "error": refused})
            continue
        try:
            with ctx.tabs.dialogs_state.leaving():
                await ctx.page.goto(target, wait_until="domcontentloaded")
        except PlaywrightError as exc:  # one unreachable item must not stop the loop
            failures += 1
            results.append({"item": item.get("label"), "error": str(exc).splitlines()[0]})
            continue
        outcome = await run_steps(
            ctx,
            goal=f"{item_goal}\nThe item: {item.get('label')}",
            max_steps=budget - ctx.next_order,
            schema=item_schema,
            block=block,
            context_goal=ctx.request.prompt,
        )
        if outcome.status == RunStatus.canceled:
            return outcome
        if outcome.status != RunStatus.completed:
            failures += 1
            results.append({"item": item.get("label"), "error": outcome.failure_reason})
        else:
            results.append(
                outcome.output
                if outcome.output is not None
                else {"item": item.get("label"), "done": True}
            )
    summary = f"went through {len(results)} of {len(items)} items, {failures} failed"
    status = RunStatus.completed if failures < len(results) else RunStatus.failed
    return Outcome(
        status,
        output=results,
        summary=summary,
        failure_reason=None if status == RunStatus.completed else summary,
    )


def item_schema(ctx: RunContext, planned: Any) -> Any:
    """Per-item schema: the planner's, else the items of the caller's array, if any."""
    if isinstance(planned, dict):
        return planned
    schema = ctx.request.schema_for_output
    if isinstance(schema, dict):
        if schema.get("type") == "array" and isinstance(schema.get("items"), dict):
            return schema["items"]
        for prop in (schema.get("properties") or {}).values():
            if (
                isinstance(prop, dict)
                and prop.get("type") == "array"
                and isinstance(prop.get("items"), dict)
            ):
                return prop["items"]
    return None
