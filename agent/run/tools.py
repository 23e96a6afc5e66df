"""User tools: plain Python functions the model may call as actions.

``Agent(tools=[lookup_price])`` takes functions, sync or async, with typed parameters and a
docstring. The plan prompt lists each as ``name(param: type, ...)`` with the docstring's
first paragraph; the model calls one with
``{"action_type": "CALL_TOOL", "tool": "lookup_price", "arguments": {"sku": "A-1"}}``.
Arguments are checked against the signature (pydantic, so ``"3"`` becomes ``3`` for an
``int``); the return value is turned into text for the next prompt and the step record.
A tool that raises fails that action with its message, like a click on a missing button:
the run goes on, the process never sees the exception.

    def lookup_price(sku: str) -> float:
        '''The catalogue price of a product, in euros.'''
        return PRICES[sku]
"""

from __future__ import annotations

import asyncio
import inspect
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict, ValidationError, create_model

from agent.records.errors import UsageError

if TYPE_CHECKING:
    from agent.browser.acting.action_types import CallToolAction
    from agent.run.run_context import RunContext

MAX_RESULT_CHARS = 2000
"""A tool's result is cut to this many characters in prompts and records."""


@dataclass(frozen=True)
class ToolResult:
    """What a call did: ``success``, and the result (or error) as text."""

    success: bool
    message: str
    value: Any = None
    page_changed: bool = False
    """Always False: a tool runs beside the page (the step record has the field)."""

    def history_line(self, action: CallToolAction) -> str:
        """How the call reads in the next prompt's history."""
        if self.success:
            return f"CALL_TOOL {action.tool} returned: {self.message}"
        return f"CALL_TOOL {action.tool} failed: {self.message}"


@dataclass
class Tool:
    """One function, described for the prompt and checked when called."""

    name: str
    fn: Callable[..., Any]
    description: str
    arguments: type[BaseModel]

    @classmethod
    def of(cls, fn: Callable[..., Any]) -> Tool:
        """Describe ``fn``; raises :class:`~agent.records.errors.UsageError` when it cannot be a tool."""
        name = getattr(fn, "__name__", "")
        if not callable(fn) or not name.isidentifier():
            raise UsageError(f"tools= takes named functions; {fn!r} has no usable name")
        doc = inspect.getdoc(fn)
        if not doc:
            raise UsageError(
                f"tool {name!r} has no docstring: say in one sentence what it does and "
                "returns, since that is all the model knows about it"
            )
        fields: dict[str, Any] = {}
        for param in inspect.signature(fn).parameters.values():
            if param.kind in (param.VAR_POSITIONAL, param.VAR_KEYWORD):
                raise UsageError(f"tool {name!r}: *args/**kwargs cannot be described to a model")
            annotation = param.annotation if param.annotation is not param.empty else Any
            default = param.default if param.default is not param.empty else ...
            fields[param.name] = (annotation, default)
        hints = inspect.get_annotations(fn, eval_str=True)
        for key in fields:
            if key in hints:
                fields[key] = (hints[key], fields[key][1])
        model = create_model(f"{name}_arguments", __config__=ConfigDict(extra="forbid"), **fields)
        return cls(name, fn, doc.split("\n\n")[0].replace("\n", " "), model)

    def signature(self) -> str:
        """``lookup_price(sku: string)`` with JSON Schema type names, for the prompt."""
        schema = self.arguments.model_json_schema()
        required = set(schema.get("required", []))
        parts = []
        for key, prop in schema.get("properties", {}).items():
            kind = prop.get("type") or "/".join(
                str(p.get("type")) for p in prop.get("anyOf", []) if p.get("type")
            )
            parts.append(f"{key}: {kind or 'any'}" + ("" if key in required else " (optional)"))
        return f"{self.name}({', '.join(parts)})"

    async def call(self, arguments: Any) -> ToolResult:
        """Run the tool; a bad argument or an exception becomes a failed result."""
        if not isinstance(arguments, dict):
            return ToolResult(False, f"arguments for {self.name} must be an object")
        try:
            checked = self.arguments.model_validate(arguments)
        except ValidationError as exc:
            problems = "; ".join(
                f"{'.'.join(str(p) for p in e['loc']) or 'arguments'}: {e['msg']}"
                for e in exc.errors()
            )
            return ToolResult(False, f"bad arguments for {self.signature()}: {problems}")
        kwargs = {key: getattr(checked, key) for key in type(checked).model_fields}
        try:
            if inspect.iscoroutinefunction(self.fn):
                value = await self.fn(**kwargs)
            else:  # a slow sync tool must not stall the Agent's loop
                value = await asyncio.to_thread(self.fn, **kwargs)
        except Exception as exc:  # the tool's failure is the action's failure, not the run's
            return ToolResult(False, f"{self.name} raised {type(exc).__name__}: {exc}")
        return ToolResult(True, _as_text(value)[:MAX_RESULT_CHARS], value)


def _as_text(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, BaseModel):
        return value.model_dump_json()
    try:
        return json.dumps(value, ensure_ascii=False, default=str)
    except (TypeError, ValueError):
        return repr(value)


class ToolBox:
    """The tools of one Agent, by name."""

    def __init__(self, functions: Sequence[Callable[..., Any]] = ()) -> None:
        self.tools: dict[str, Tool] = {}
        for fn in functions:
            tool = Tool.of(fn)
            if tool.name in self.tools:
                raise UsageError(f"two tools are named {tool.name!r}; rename one")
            self.tools[tool.name] = tool

    def __bool__(self) -> bool:
        return bool(self.tools)

    def listing(self) -> list[dict[str, str]]:
        """What the prompt shows: each tool's signature and description."""
        return [
            {"signature": t.signature(), "description": t.description} for t in self.tools.values()
        ]

    async def call(self, name: str, arguments: Any) -> ToolResult:
        tool = self.tools.get(name)
        if tool is None:
            known = ", ".join(self.tools) or "none"
            return ToolResult(False, f"there is no tool {name!r}; the tools are: {known}")
        return await tool.call(arguments)


async def call_tool_action(ctx: RunContext, action: CallToolAction) -> ToolResult:
    """Run a CALL_TOOL action of the run of ``ctx`` (a RunContext)."""
    if not ctx.tools:
        return ToolResult(False, "this run has no tools; use the page's own controls")
    return await ctx.tools.call(action.tool, action.arguments)
