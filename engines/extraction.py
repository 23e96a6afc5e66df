"""Extracting data from the page into the caller's JSON Schema.

The page is rendered with a larger budget than for planning (the data may lie below
the fold), the model answers with purpose ``extract``, and the answer is validated
with jsonschema. An answer that does not fit is sent back once with the validation
errors; if the second answer still does not fit, the run keeps it and says so in its
``errors`` rather than returning nothing.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from agent.llm.call import LLMResult
from agent.llm.messages import user_message
from agent.records.observation import Observation
from agent.records.runs import Step
from agent.run.run_context import RunContext
from engines.prompts import messages as prompt_messages
from engines.prompts import render

EXTRACT_TOKEN_BUDGET = 6000
"""How much of the page extraction may see, in tokens of rendered text."""


def schema_errors(data: Any, schema: Any) -> list[str]:
    """Validation errors of ``data`` against ``schema`` (empty when it fits or no schema)."""
    from agent.records.validation import schema_validation_errors

    return schema_validation_errors(data, schema)  # $ref resolves inside the schema only


async def extract(
    ctx: RunContext, step: Step, *, goal: str, schema: Any, observation: Observation | None = None
) -> tuple[Any, list[str]]:
    """Extract data for ``goal``; returns the data and any schema errors left after a re-ask.

    ``observation`` saves observing again when the caller's is still current.
    """
    observation = observation or await ctx.observe()  # a screenshot when the model sees
    schema_text = (
        json.dumps(schema, indent=1) if isinstance(schema, (dict, list)) else (schema or "")
    )
    messages = prompt_messages(
        "extract",
        rules={},
        task={
            "goal": goal,
            "schema": schema_text,
            "page": observation.render(token_budget=EXTRACT_TOKEN_BUDGET),
        },
        screenshot=observation.screenshot,
    )
    data, _, errors = await ask_fitting(
        ctx,
        "extract",
        messages,
        schema=schema,
        step=step,
        observation=observation,
        context={"schema": schema},
    )
    return data, errors


async def ask_fitting(
    ctx: RunContext,
    purpose: str,
    messages: list[dict[str, Any]],
    *,
    schema: Any,
    step: Step | None,
    context: dict[str, Any],
    observation: Any = None,
    pick: Callable[[LLMResult], Any] = lambda result: result.data,
) -> tuple[Any, LLMResult, list[str]]:
    """Ask, and ask once more with the validation errors when ``pick(result)`` misfits.

    Returns the picked data, the last result (with its typed answer), and the errors left
    after the re-ask.
    """
    result = await ctx.llm(purpose, messages, step=step, observation=observation, context=context)
    data = pick(result)
    errors = schema_errors(data, schema)
    if errors:
        messages = [
            *messages,
            {"role": "assistant", "content": result.text},
            user_message(render("extract_fix", errors=errors)),
        ]
        result = await ctx.llm(
            purpose,
            messages,
            step=step,
            observation=observation,
            context={**context, "errors": errors},
        )
        data = pick(result)
        errors = schema_errors(data, schema)
    return data, result, errors
