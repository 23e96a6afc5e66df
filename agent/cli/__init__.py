"""The command line: ``python -m agent`` (also installed as ``agent``).

    agent run "Apply for a job ..." --url https://... --schema '{"ok": {"type": "boolean"}}'
    agent run --request request.json --no-wait --json
    agent runs [--status failed] [--page 2 --page-size 20]
    agent show RUN_ID | agent steps RUN_ID | agent cancel RUN_ID
    agent workflows | agent replay WORKFLOW_ID --param name="Ada Lovelace"
    agent report RUN_ID [--open] | agent report --all [--open]
    agent export RUN_ID [--heal] > flow.py

Runs are kept in the SQLite store of the data dir (``--data-dir``, else ``AGENT_DATA_DIR``,
default ``./agent-data``) unless ``--store`` / ``AGENT_STORE`` say otherwise, so each
command sees what earlier ones did. Exit codes (:data:`EXIT_CODES`): 0 completed, 3
failed, 4 terminated, 5 timed out, 6 canceled, 7 a waited-for run that is not finished
(paused), 2 a usage error (bad flag, bad request, unknown id), 1 anything unexpected.

Each subcommand is a :class:`Command` in :data:`COMMANDS`, registered with
:func:`command` by the modules in :data:`COMMAND_MODULES`; adding one is a function and
one line there.

May import: the face (``agent``) and everything below it: commands are the top layer.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from agent.client import Agent
    from agent.records.runs import TaskRun

EXIT_OK = 0
EXIT_ERROR = 1
"""Something unexpected (a bug, a crash): the message says what."""
EXIT_USAGE = 2
"""A bad flag, a bad request field, an unknown run or workflow id (argparse's code too)."""
EXIT_CODES = {
    "completed": 0,
    "failed": 3,
    "terminated": 4,
    "timed_out": 5,
    "canceled": 6,
}
"""The exit code of ``agent run`` / ``agent replay`` for a run that ended with each status."""
EXIT_UNFINISHED = 7
"""A waited-for run that did not reach a final status (e.g. ``paused``, waiting for an answer)."""

COMMAND_MODULES = ["agent.cli.runs", "agent.cli.reports", "agent.cli.export", "agent.cli.worker"]
"""Modules whose :func:`command` functions make up the CLI, in the order ``--help`` lists them."""


@dataclass(frozen=True)
class Command:
    """One subcommand: its flags and what it does."""

    name: str
    help: str
    configure: Callable[[argparse.ArgumentParser], None]
    """Adds the subcommand's own arguments."""
    run: Callable[[argparse.Namespace], int]
    """Does the work; returns the exit code."""


COMMANDS: dict[str, Command] = {}


def command(
    name: str, help: str, configure: Callable[[argparse.ArgumentParser], None] | None = None
) -> Callable[[Callable[[argparse.Namespace], int]], Callable[[argparse.Namespace], int]]:
    """Register ``fn(args) -> exit code`` as the subcommand ``name``.

    >>> @command("hello", "say hello", lambda p: p.add_argument("who"))
    ... def hello(args):
    ...     print("hello", args.who)
    ...     return 0
    >>> main(["hello", "you"])
    hello you
    0
    >>> del COMMANDS["hello"]
    """

    def register(fn: Callable[[argparse.Namespace], int]) -> Callable[[argparse.Namespace], int]:
        COMMANDS[name] = Command(name, help, configure or (lambda parser: None), fn)
        return fn

    return register


def exit_code(run: TaskRun) -> int:
    """The process exit code for a run that was waited for (see :data:`EXIT_CODES`)."""
    return EXIT_CODES.get(run.status.value, EXIT_UNFINISHED)


def build_parser() -> argparse.ArgumentParser:
    """The ``agent`` parser with every registered subcommand."""
    for module in COMMAND_MODULES:
        importlib.import_module(module)
    parser = argparse.ArgumentParser(
        prog="agent",
        description="A local browser agent with the hosted Tasks API's run object.",
        epilog="Exit codes: 0 completed, 3 failed, 4 terminated, 5 timed_out, 6 canceled, "
        "7 not finished, 2 usage error, 1 unexpected error.",
    )
    _add_common(parser, default=None)
    common = argparse.ArgumentParser(add_help=False)
    _add_common(common, default=argparse.SUPPRESS)  # after the command too, never overriding
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for item in COMMANDS.values():
        sub = commands.add_parser(
            item.name,
            help=item.help,
            description=item.help,
            parents=[common],
            conflict_handler="resolve",  # a command may define its own --store and the like
        )
        item.configure(sub)
        sub.set_defaults(handler=item.run)
    return parser


def _add_common(parser: argparse.ArgumentParser, default: object) -> None:
    """The options every command takes, before or after its name."""
    parser.add_argument(
        "--data-dir",
        default=default,
        help="where runs are kept (default: AGENT_DATA_DIR or ./agent-data)",
    )
    parser.add_argument(
        "--store",
        default=default,
        help="memory, sqlite (the data dir's agent.db; the default) or a store URL",
    )
    parser.add_argument(
        "--llm",
        default=default,
        help="a litellm model name (default: AGENT_LLM); 'offline' drives the fixture sites "
        "with the rule-based policy from agent.testing.stand_ins",
    )


def open_agent(
    args: argparse.Namespace, *, progress: bool | None = False, record_video: bool = True
) -> Agent:
    """The Agent the command works with: the data dir's SQLite store unless told otherwise."""
    from agent import Agent

    llm: object = args.llm or None
    if llm == "offline":
        from agent.testing.stand_ins import offline_llm

        llm = offline_llm()
    return Agent(
        llm=llm,
        data_dir=args.data_dir,
        store=args.store or os.environ.get("AGENT_STORE") or "sqlite",
        progress=progress,
        record_video=record_video,
    )


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code."""
    from agent.cli.request_flags import normalize_argv
    from agent.records.config import quiet_litellm_env

    quiet_litellm_env()  # litellm stays off the network at import
    raw = list(sys.argv[1:] if argv is None else argv)
    args = build_parser().parse_args(normalize_argv(raw))
    args.argv = raw
    from agent.records.errors import AgentError, UsageError

    try:
        return int(args.handler(args))
    except UsageError as exc:
        print(f"agent: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except AgentError as exc:
        print(f"agent: {type(exc).__name__}: {exc}", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        print("agent: interrupted", file=sys.stderr)
        return 130
