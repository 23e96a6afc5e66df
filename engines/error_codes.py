"""Matching how a run ended against the caller's ``error_code_mapping``.

Only codes the caller defined are ever reported. Codes the model attached to its
TERMINATE are taken as they are (no extra call); otherwise one ``error_codes`` call
classifies the situation.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import ValidationError

from agent.llm.answers import ErrorCodeEntry, ErrorCodesAnswer
from agent.records.actions import ErrorEntry
from agent.records.runs import Step
from agent.run.run_context import RunContext
from engines.prompts import messages


def proposed_codes(raw: list[Any]) -> list[ErrorCodeEntry]:
    """The codes a TERMINATE carried, read loosely: a bare code, or ``{"code": ...}`` too."""
    entries = []
    for item in raw:
        if isinstance(item, str):
            item = {"error_code": item}
        if isinstance(item, Mapping):
            item = {**item, "error_code": str(item.get("error_code") or item.get("code") or "")}
        try:
            entries.append(ErrorCodeEntry.model_validate(item))
        except ValidationError:  # not a code: nothing to report
            continue
    return entries


def known_codes(entries: list[ErrorCodeEntry], mapping: dict[str, str]) -> list[ErrorEntry]:
    """Keep only entries whose code is in ``mapping``; shape them as the run's ``errors``."""
    found: list[ErrorEntry] = []
    for entry in entries:
        code = entry.error_code.strip()
        if code in mapping and code not in {f.error_code for f in found}:
            found.append(
                ErrorEntry(
                    error_code=code,
                    reasoning=entry.reasoning or mapping[code],
                    confidence_float=entry.confidence_float,
                    error_type="USER_DEFINED_ERROR",
                )
            )
    return found


async def classify(
    ctx: RunContext, step: Step | None, *, goal: str, reason: str, proposed: Any = None
) -> list[ErrorEntry]:
    """The caller's error codes that describe why the run stopped (maybe none)."""
    mapping = ctx.request.error_code_mapping or {}
    if not mapping:
        return []
    direct = known_codes(proposed_codes(proposed or []), mapping)
    if direct:
        return direct
    observation = await ctx.observe(screenshot=False)
    sent = messages(
        "error_codes",
        rules={"error_codes": mapping},
        task={"goal": goal, "reason": reason, "elements": observation.render()},
    )
    result = await ctx.llm(
        "error_codes",
        sent,
        step=step,
        goal=goal,
        observation=observation,
        context={"reason": reason},
    )
    answer: ErrorCodesAnswer = result.answer
    return known_codes(answer.errors, mapping)


def with_error_code(output: Any, errors: list[ErrorEntry]) -> Any:
    """``output`` with ``{"error": "<CODE>"}`` merged in, as the hosted docs promise."""
    if not errors:
        return output
    code = errors[0].error_code
    if isinstance(output, dict):
        return {**output, "error": code}
    return {"error": code} if output is None else {"error": code, "data": output}
