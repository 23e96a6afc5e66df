"""Checks on request input that pydantic's types alone do not make.

:class:`~agent.records.runs.RunRequest` calls these before a run exists, so that input a
model, a JSON encoder or jsonschema would choke on is refused with the field and the
fix named, instead of surfacing later as a raw ``RecursionError``,
``PydanticSerializationError`` or a hang:

- text with NUL bytes or lone surrogates (unencodable as UTF-8) anywhere in the request;
- ``max_steps`` given as a bool, or beyond :data:`MAX_STEPS_LIMIT`;
- a schema nested deeper than :data:`MAX_SCHEMA_DEPTH`, with more than
  :data:`MAX_SCHEMA_NODES` parts, or with a ``$ref`` that points outside the schema.

Schemas never reach the network: :func:`schema_registry` gives jsonschema a registry
whose ``retrieve`` refuses, so a ``$ref`` resolves inside the schema or not at all (a
schema the planner writes is validated through the same registry).

A run read back from a store was checked when it was created; stores validate with
``context=STORED`` and the checks here are skipped (a big schema costs once, not on
every ``get_run``).

>>> check_strings({"description": "a\\x00b"})
Traceback (most recent call last):
ValueError: contains a NUL byte (\\x00) at position 1 in description; remove it
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

MAX_STEPS_LIMIT = 1000
"""The largest ``max_steps`` accepted (each step is at least one model call)."""
MAX_SCHEMA_DEPTH = 100
"""How deeply a schema's JSON may nest (objects and arrays), e.g. 50 levels of properties."""
MAX_SCHEMA_NODES = 5000
"""How many objects and arrays a schema may hold in all (sent whole in every prompt)."""
STORED: Mapping[str, Any] = {"agent_stored": True}
"""Validation context for models read back from a store: their input was checked once."""
_LOCAL_URI = "urn:agent:schema"


def is_stored(context: Any) -> bool:
    """Whether a pydantic validation ``context`` says the data comes from a store."""
    return isinstance(context, Mapping) and bool(context.get("agent_stored"))


# -- text --------------------------------------------------------------------------------------


def _strings(value: Any) -> Iterator[tuple[str, str]]:
    """Every string in ``value`` (dict keys included) with where it sits, without recursion."""
    stack: list[tuple[Any, str]] = [(value, "")]
    while stack:
        item, where = stack.pop()
        if isinstance(item, str):
            yield where, item
        elif isinstance(item, Mapping):
            for key, sub in item.items():
                inner = f"{where}.{key}" if len(where) < 200 else where  # long paths: cut
                if isinstance(key, str):
                    yield f"{inner} (the key)", key
                stack.append((sub, inner))
        elif isinstance(item, (list, tuple)):
            short = len(where) < 200
            stack.extend((sub, f"{where}[{i}]" if short else where) for i, sub in enumerate(item))


def check_text(text: str, where: str = "") -> None:
    """Refuse a NUL byte or a lone surrogate in ``text``; ``where`` says where it sits."""
    at = f" in {where.lstrip('.')}" if where else ""
    nul = text.find("\x00")
    if nul >= 0:
        raise ValueError(f"contains a NUL byte (\\x00) at position {nul}{at}; remove it")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:
        char = text[exc.start]
        raise ValueError(
            f"contains a lone surrogate (U+{ord(char):04X}) at position {exc.start}{at}, which "
            "is not valid Unicode text; remove it (text decoded with errors='surrogateescape' "
            "or a cut emoji often leaves one)"
        ) from None


def check_strings(value: Any) -> Any:
    """Check every string in a field's value, nested ones included; returns the value."""
    for where, text in _strings(value):
        check_text(text, where)
    return value


# -- numbers -------------------------------------------------------------------------------------


def check_max_steps(value: Any) -> Any:
    """Refuse ``True``/``False`` and budgets beyond :data:`MAX_STEPS_LIMIT` (before coercion)."""
    if isinstance(value, bool):
        raise ValueError(
            f"max_steps must be a whole number of steps, not {value}; pass e.g. max_steps=10"
        )
    if isinstance(value, int) and value > MAX_STEPS_LIMIT:
        raise ValueError(
            f"max_steps={value} is more than the limit of {MAX_STEPS_LIMIT}; pass a smaller "
            "budget or split the task into several runs"
        )
    return value


# -- schemas -------------------------------------------------------------------------------------


def check_schema_shape(schema: Any) -> None:
    """Refuse a schema too deep or too large to handle, or with a ``$ref`` leaving it.

    Walks without recursion, so it is safe on any depth; runs before jsonschema does.
    """
    if not isinstance(schema, (dict, list)):
        return
    nodes = 0
    refs: list[str] = []
    stack: list[tuple[Any, int]] = [(schema, 1)]
    while stack:
        item, depth = stack.pop()
        if depth > MAX_SCHEMA_DEPTH:
            raise ValueError(
                f"the schema is nested more than {MAX_SCHEMA_DEPTH} levels deep; flatten it, or "
                "name repeated parts under $defs and point to them with $ref"
            )
        nodes += 1
        if nodes > MAX_SCHEMA_NODES:
            raise ValueError(
                f"the schema has more than {MAX_SCHEMA_NODES} parts (objects and arrays); it is "
                "sent whole with every prompt, so ask for fewer fields or split the task"
            )
        if isinstance(item, dict):
            ref = item.get("$ref")
            if isinstance(ref, str):
                refs.append(ref)
            children = item.values()
        else:
            children = item
        stack.extend((c, depth + 1) for c in children if isinstance(c, (dict, list)))
    if isinstance(schema, dict) and refs:
        resolver = _resolver(schema)
        for ref in dict.fromkeys(refs):
            problem = unresolvable_ref(resolver, ref)
            if problem:
                raise ValueError(problem)


class RemoteRefError(Exception):
    """A schema's ``$ref`` pointed outside the schema; it is never fetched."""


def _remote_message(uri: str) -> str:
    return (
        f"$ref {uri!r} points outside the schema and is not fetched; copy the referenced "
        "part into the schema under $defs and use '#/$defs/<name>'"
    )


def _refuse(uri: str) -> Any:
    raise RemoteRefError(_remote_message(uri))


def schema_registry(schema: dict[str, Any]) -> Any:
    """A ``referencing.Registry`` holding ``schema`` only; anything else is refused."""
    from referencing import Registry, Resource
    from referencing.jsonschema import DRAFT202012

    resource = Resource.from_contents(schema, default_specification=DRAFT202012)
    # referencing builds __init__ with attrs aliases, which mypy does not read
    registry: Any = Registry(retrieve=_refuse)  # type: ignore[call-arg]
    return registry.with_resource(resource.id() or _LOCAL_URI, resource)


def _resolver(schema: dict[str, Any]) -> Any:
    base = schema.get("$id") if isinstance(schema.get("$id"), str) else _LOCAL_URI
    return schema_registry(schema).resolver(base_uri=base)


def unresolvable_ref(resolver: Any, ref: str) -> str | None:
    """Why ``ref`` cannot be resolved by ``resolver`` (local only), or None when it can."""
    from referencing.exceptions import Unresolvable

    try:
        resolver.lookup(ref)
    except Unresolvable as exc:
        cause = exc.__cause__ or exc.__context__
        if isinstance(cause, RemoteRefError):
            return str(cause)
        if not ref.startswith("#"):
            return _remote_message(ref)
        return f"$ref {ref!r} points to nothing inside the schema; fix the pointer"
    except Exception as exc:  # a malformed pointer
        return f"$ref {ref!r} cannot be resolved ({type(exc).__name__}: {exc})"
    return None


def schema_validation_errors(data: Any, schema: Any, limit: int = 10) -> list[str]:
    """``data``'s validation errors against ``schema``, resolving ``$ref`` locally only."""
    if not isinstance(schema, dict):
        return []
    import jsonschema

    try:
        check_schema_shape(schema)
        validator = jsonschema.validators.validator_for(schema)(
            schema, registry=schema_registry(schema)
        )
        errors = sorted(validator.iter_errors(data), key=lambda e: list(e.absolute_path))
    except ValueError as exc:  # the shape check's own message
        return [f"(schema) {exc}"]
    except Exception as exc:  # a $ref that does not resolve inside the schema
        cause = exc.__cause__ or exc
        return [f"(schema) cannot validate: {type(cause).__name__}: {cause}"]
    return [
        f"{'/'.join(str(p) for p in error.absolute_path) or '(root)'}: {error.message}"
        for error in errors
    ][:limit]


# -- the data dir --------------------------------------------------------------------------------


def check_data_dir(data_dir: Path) -> None:
    """Make sure runs can write under ``data_dir``; raise a usage error naming the fix."""
    from agent.records.errors import DataDirError

    runs = data_dir / "runs"
    try:
        runs.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=runs, prefix=".write-check-"):
            pass
    except OSError as exc:
        raise DataDirError(
            f"data_dir {str(data_dir)!r} is not writable ({exc.strerror or exc}): pass "
            "Agent(data_dir=...) or set AGENT_DATA_DIR to a folder this process can write"
        ) from None


MODEL_TEXT_CHARS = 4000
"""The most a run field keeps of text the model wrote (a reason, a summary, an error's
reasoning); the rest is cut, with :func:`cut_text`'s marker."""


def cut_text(text: str, limit: int = MODEL_TEXT_CHARS) -> str:
    """``text`` kept to ``limit`` characters, with a marker saying how much was cut.

    >>> cut_text("abcdefgh", 3)
    'abc… [cut: 5 more characters]'
    >>> cut_text("short", 10)
    'short'
    """
    if len(text) <= limit:
        return text
    return f"{text[:limit]}… [cut: {len(text) - limit:,} more characters]"
