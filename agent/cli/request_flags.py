"""``agent run``'s flags, made from :class:`~agent.records.runs.RunRequest`'s fields.

Each request field becomes one flag with its hosted name (``max_steps`` → ``--max-steps``;
``--max_steps`` is accepted too), its type and its description, so a field added to the
model shows up here without touching this file. How a value is read follows the field's
annotation:

=====================================  ==========================================
annotation                             flag value
=====================================  ==========================================
``bool``                               ``--name`` / ``--no-name``
``Literal[...]``                       one of the choices
``int`` / ``float``                    a number
``str``                                the text as given
``dict`` / ``list`` (alone or in a     inline JSON (``'{"a": 1}'``), or a path to a
union with ``str``)                    JSON file; other text stays a string where
                                       ``str`` is allowed
``list[str]``                          repeat the flag or separate with commas
=====================================  ==========================================

>>> parser = argparse.ArgumentParser(prog="agent run")
>>> add_request_flags(parser)
>>> args = parser.parse_args(normalize_argv(["Find it", "--max_steps", "3", "--publish-workflow"]))
>>> sorted(request_fields(args).items())
[('max_steps', 3), ('prompt', 'Find it'), ('publish_workflow', True)]
"""

from __future__ import annotations

import argparse
import json
import types
import typing
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from agent.records.runs import RunRequest

DEST_PREFIX = "request__"
"""Namespace attributes holding request fields start with this (only flags given are set)."""
ALIASES = {"data_extraction_schema": ["--schema"], "error_code_mapping": ["--error-codes"]}
"""Short names kept for the longest fields (``--schema`` was the CLI's first flag)."""
POSITIONAL = "prompt"
"""The one field given without a flag: ``agent run "the goal" --url ...``."""


def flag_name(field: str) -> str:
    """``max_steps`` → ``--max-steps``."""
    return "--" + field.replace("_", "-")


def normalize_argv(argv: Sequence[str]) -> list[str]:
    """Accept the hosted spelling (``--max_steps 3``, ``--max_steps=3``) for every field flag."""
    known = set(RunRequest.model_fields)
    out = []
    for arg in argv:
        head, sep, tail = arg.partition("=")
        bare = head[5:] if head.startswith("--no-") else head[2:]
        if head.startswith("--") and bare in known:
            head = head.replace("_", "-")
        out.append(head + sep + tail)
    return out


def add_request_flags(parser: argparse.ArgumentParser) -> None:
    """Add the prompt (positional, optional when ``--request`` gives it) and one flag per field."""
    for name, info in RunRequest.model_fields.items():
        help_text = (info.description or "").replace("%", "%%")
        dest = DEST_PREFIX + name
        if name == POSITIONAL:
            parser.add_argument(dest, nargs="?", default=None, metavar=name, help=help_text)
            continue
        flags = [flag_name(name), *ALIASES.get(name, [])]
        kind = _kind(info.annotation)
        if kind == "bool":
            parser.add_argument(
                *flags,
                dest=dest,
                action=argparse.BooleanOptionalAction,
                default=argparse.SUPPRESS,
                help=help_text,
            )
        elif kind == "list":
            parser.add_argument(
                *flags,
                dest=dest,
                action="append",
                default=argparse.SUPPRESS,
                metavar="VALUE",
                help=help_text + " (repeat the flag or separate with commas)",
            )
        else:
            choices = typing.get_args(_members(info.annotation)[0]) if kind == "literal" else None
            if kind in ("json", "json_or_text"):
                help_text += " Inline JSON or a JSON file."
            parser.add_argument(
                *flags,
                dest=dest,
                type=_reader(kind, name),
                choices=choices,
                default=argparse.SUPPRESS,
                metavar=None if choices else _metavar(kind, name),
                help=help_text,
            )


def request_fields(args: argparse.Namespace) -> dict[str, Any]:
    """The request fields given on the command line, by field name."""
    fields = {}
    for dest, value in vars(args).items():
        if not dest.startswith(DEST_PREFIX) or (value is None and dest.endswith(POSITIONAL)):
            continue
        name = dest.removeprefix(DEST_PREFIX)
        if _kind(RunRequest.model_fields[name].annotation) == "list":
            value = [part.strip() for item in value for part in item.split(",") if part.strip()]
        fields[name] = value
    return fields


def read_request_file(path: str) -> dict[str, Any]:
    """A whole request as JSON (the hosted request body's shape), from a file or ``-`` (stdin)."""
    import sys

    try:
        text = sys.stdin.read() if path == "-" else Path(path).read_text(encoding="utf-8")
        data = json.loads(text)
    except (OSError, ValueError) as exc:
        raise argparse.ArgumentTypeError(f"cannot read the request {path}: {exc}") from None
    if not isinstance(data, dict):
        raise argparse.ArgumentTypeError(
            f"the request in {path} must be a JSON object with the request's fields"
        )
    return data


# -- reading values by annotation --------------------------------------------------------------


def _members(annotation: Any) -> tuple[Any, ...]:
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        return tuple(a for a in typing.get_args(annotation) if a is not type(None))
    return (annotation,)


def _kind(annotation: Any) -> str:
    members = _members(annotation)
    origins = {typing.get_origin(m) or m for m in members}
    if origins == {bool}:
        return "bool"
    if len(members) == 1 and typing.get_origin(members[0]) is typing.Literal:
        return "literal"
    if origins == {list} and typing.get_args(members[0]) in ((str,), ()):
        return "list"
    if origins & {dict, list}:
        return "json_or_text" if str in origins else "json"
    if origins <= {int}:
        return "int"
    if origins <= {int, float}:
        return "float"
    return "text"


def _metavar(kind: str, name: str) -> str:
    if kind == "text":
        return "URL" if name.endswith("url") else "TEXT"
    return {"json": "JSON", "json_or_text": "VALUE", "int": "N", "float": "X"}[kind]


def _reader(kind: str, name: str) -> Callable[[str], Any]:
    if kind == "int":
        return int
    if kind == "float":
        return float
    if kind in ("json", "json_or_text"):
        return lambda value: read_json_value(value, name, text_allowed=kind == "json_or_text")
    return str


def read_json_value(value: str, field: str, *, text_allowed: bool = False) -> Any:
    """Inline JSON, or the JSON in the file ``value`` names; else the text (if allowed).

    >>> read_json_value('{"ok": {"type": "boolean"}}', "data_extraction_schema")
    {'ok': {'type': 'boolean'}}
    >>> read_json_value("RESIDENTIAL", "proxy_location", text_allowed=True)
    'RESIDENTIAL'
    >>> read_json_value("x" * 5000, "data_extraction_schema", text_allowed=True) == "x" * 5000
    True
    """
    text = value.strip()
    if text[:1] in ("{", "["):
        try:
            return json.loads(text)
        except ValueError as exc:
            raise argparse.ArgumentTypeError(f"{flag_name(field)}: not valid JSON: {exc}") from None
    path = Path(text).expanduser()
    try:
        is_file = path.is_file()
    except OSError:  # e.g. a long text that cannot be a file name
        is_file = False
    if is_file:
        try:
            return json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise argparse.ArgumentTypeError(
                f"{flag_name(field)}: cannot read JSON from {path}: {exc}"
            ) from None
    if text_allowed:
        return value
    raise argparse.ArgumentTypeError(
        f"{flag_name(field)}: give inline JSON (e.g. '{{\"key\": ...}}') or a JSON file's path; "
        f"{value!r} is neither"
    )
