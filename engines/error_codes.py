"""Matching how a run ended against the caller's ``error_code_mapping``.

Only codes the caller defined are ever reported. Codes the model attached to its
TERMINATE are taken as they are (no extra call); otherwise one ``error_codes`` call
classifies the situation.
"""

from __future__ import annotations

from typing import Any

from agent.answers import ErrorCodesAnswer
from agent.models import Step
from agent.run_context import RunContext, user_message
from engines.prompts import render


def known_codes(raw: Any, mapping: dict[str, str]) -> list[dict[str, Any]]:
    """Keep only entries whose code is in ``mapping``; shape them as the run's ``errors``."""
    found = []
    for entry in raw if isinstance(raw, list) else []:
        if isinstance(entry, str):
            entry = {"error_code": entry}
        if not isinstance(entry, dict):
            continue
        code = str(entry.get("error_code") or entry.get("code") or "").strip()
        if code in mapping and code not in {f["error_code"] for f in found}:
            found.append(
                {
                    "error_code": code,
                    "reasoning": str(entry.get("reasoning") or mapping[code]),
                    "confidence_float": entry.get("confidence_float", 1.0),
                    "error_type": "USER_DEFINED_ERROR",
                }
            )
    return found


async def classify(
    ctx: RunContext, step: Step | None, *, goal: str, reason: str, proposed: Any = None
) -> list[dict[str, Any]]:
    """The caller's error codes that describe why the run stopped (maybe none)."""
    mapping = ctx.request.error_code_mapping or {}
    if not mapping:
        return []
    direct = known_codes(proposed, mapping)
    if direct:
        return direct
    observation = await ctx.observe(screenshot=False)
    prompt = render(
        "error_codes",
        goal=goal,
        reason=reason,
        elements=observation.render(),
        error_codes=mapping,
    )
    result = await ctx.llm(
        "error_codes",
        [user_message(prompt)],
        step=step,
        goal=goal,
        observation=observation,
        context={"reason": reason},
    )
    answer: ErrorCodesAnswer = result.answer
    return known_codes([e.model_dump() for e in answer.errors], mapping)


def with_error_code(output: Any, errors: list[dict[str, Any]]) -> Any:
    """``output`` with ``{"error": "<CODE>"}`` merged in, as the hosted docs promise."""
    if not errors:
        return output
    code = errors[0]["error_code"]
    if isinstance(output, dict):
        return {**output, "error": code}
    return {"error": code} if output is None else {"error": code, "data": output}
