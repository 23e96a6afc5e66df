"""Subcommands about runs: ``run``, ``replay``, ``runs``, ``show``, ``steps``, ``cancel``, ``workflows``."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from agent.cli import EXIT_OK, EXIT_USAGE, command, exit_code, open_agent
from agent.cli.request_flags import add_request_flags, read_request_file, request_fields
from agent.cli.text import runs_table, steps_table, workflows_table
from agent.records.runs import RunStatus, TaskRun

if TYPE_CHECKING:
    from agent.client import Agent


def _print_json(data: Any) -> None:
    print(json.dumps(data, indent=2, ensure_ascii=False))


def _finish_flags(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--wait",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="wait for the run to end (the default); --no-wait prints the queued run and "
        "leaves it running in the background",
    )
    parser.add_argument("--json", action="store_true", help="print the run object as JSON")
    parser.add_argument("--quiet", action="store_true", help="no progress lines on stderr")
    parser.add_argument(
        "--no-video",
        action="store_true",
        help="do not record the run on video (recording costs some CPU on every page)",
    )
    parser.add_argument("--background", action="store_true", help=argparse.SUPPRESS)


def _configure_run(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--request",
        type=read_request_file,
        metavar="FILE",
        help="a whole request as JSON (the hosted request body), '-' for stdin; "
        "flags given too override its fields",
    )
    add_request_flags(parser)
    _finish_flags(parser)


@command("run", "run a task and summarize how it went", _configure_run)
def run_command(args: argparse.Namespace) -> int:
    fields = {**(args.request or {}), **request_fields(args)}
    if not fields.get("prompt"):
        print(
            'agent: say what to do: agent run "the goal" --url ... (or --request FILE)',
            file=sys.stderr,
        )
        return EXIT_USAGE
    from agent.records.runs import build_request

    request = build_request(**fields)  # every field is checked before anything starts
    given = {name: getattr(request, name) for name in fields}
    # Secret values never pass through flags: they come from AGENT_SECRET_<NAME>, and the
    # names given (`--secrets NAME`) must be among them.
    wanted = given.pop("secrets", None) or []

    def start(agent: Agent, wait: bool) -> TaskRun:
        missing = [name for name in wanted if name not in agent.secrets_for(None).names]
        if missing:
            from agent.records.errors import InvalidRequestError

            raise InvalidRequestError(
                "secrets", f"no value for {missing[0]!r}: set AGENT_SECRET_{missing[0]}"
            )
        return agent.run_task(**given, wait=wait)

    return _start(args, start)


def _configure_replay(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("workflow_id", help="wpid_... (see: agent workflows)")
    parser.add_argument(
        "--param",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="a workflow parameter (repeat for each)",
    )
    parser.add_argument("--url", help="start here instead of the workflow's recorded URL")
    _finish_flags(parser)


@command("replay", "replay a published workflow with new parameters", _configure_replay)
def replay_command(args: argparse.Namespace) -> int:
    params = {}
    for item in args.param:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            print(f"agent: --param takes KEY=VALUE, not {item!r}", file=sys.stderr)
            return EXIT_USAGE
        params[key.strip()] = value
    return _start(
        args,
        lambda agent, wait: agent.run_workflow(
            args.workflow_id, params or None, url=args.url, wait=wait
        ),
    )


def _start(args: argparse.Namespace, start: Callable[[Agent, bool], TaskRun]) -> int:
    """Start a run (``start(agent, wait)``), then print and exit as the flags say."""
    from agent.cli.background import announce, start_in_background

    if not args.wait and not args.background:
        return start_in_background(args, show_run)
    progress = not (args.quiet or args.background)
    with open_agent(args, progress=progress, record_video=not args.no_video) as agent:
        if args.background:
            run = start(agent, False)
            announce(agent, run)
            run = agent.wait(run.run_id)
            return exit_code(run)
        run = start(agent, True)
        report = _write_report(agent, run)
        show_run(agent, run, as_json=args.json, report=report)
    return exit_code(run)


def _write_report(agent: Agent, run: TaskRun) -> Path | None:
    if not run.status.is_final:
        return None
    from agent.ui.report import report_for

    try:
        return report_for(agent, run.run_id)
    except OSError as exc:  # the run stands; say why there is no report
        print(f"agent: could not write the report: {exc}", file=sys.stderr)
        return None


def show_run(agent: Agent, run: TaskRun, *, as_json: bool, report: Path | None = None) -> None:
    """Print a run: its JSON, or a short summary with where its files are."""
    if as_json:
        _print_json(run.model_dump(mode="json"))
        return
    from agent.cli.text import run_summary

    folder = agent.data_dir / "runs" / run.run_id
    print(run_summary(run, run_dir=folder if folder.is_dir() else None, report=report))
    if not run.status.is_final:
        print(f"  follow   agent show {run.run_id}   (or: agent steps {run.run_id})")


def _configure_runs(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--status", choices=[s.value for s in RunStatus], help="only runs with this status"
    )
    parser.add_argument("--page", type=int, default=1, help="page number, from 1")
    parser.add_argument("--page-size", type=int, default=10, help="runs per page")
    parser.add_argument("--json", action="store_true", help="print the runs as JSON")


@command("runs", "list runs, newest first", _configure_runs)
def runs_command(args: argparse.Namespace) -> int:
    from agent.stores.base import check_page

    check_page(args.page, args.page_size)
    with open_agent(args) as agent:
        if args.status is None:
            runs = agent.list_runs(page=args.page, page_size=args.page_size)
            more = len(agent.list_runs(page=args.page + 1, page_size=args.page_size)) > 0
        else:
            from agent.ui.report_index import all_runs

            matching = [r for r in all_runs(agent) if r.status.value == args.status]
            start = (args.page - 1) * args.page_size
            runs = matching[start : start + args.page_size]
            more = len(matching) > start + args.page_size
        if args.json:
            _print_json([run.model_dump(mode="json") for run in runs])
            return EXIT_OK
        if not runs:
            print(_no_runs_message(agent, args))
            return EXIT_OK
        print(runs_table(runs))
        if more:
            again = f" --status {args.status}" if args.status else ""
            print(
                f"(page {args.page}; more: agent runs{again} --page {args.page + 1}"
                f" --page-size {args.page_size})"
            )
    return EXIT_OK


def _no_runs_message(agent: Agent, args: argparse.Namespace) -> str:
    where = getattr(agent.store, "path", None) or type(agent.store).__name__
    if args.page > 1:
        return f"No runs on page {args.page} (store: {where})."
    if args.status:
        return f"No {args.status} runs (store: {where})."
    return (
        f"No runs yet (store: {where}).\n"
        'Start one: agent run "Find the price of the first product" --url https://example.com'
    )


def _run_id(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("run_id", help="tsk_... or tsk_v2_... (see: agent runs)")


def _configure_show(parser: argparse.ArgumentParser) -> None:
    _run_id(parser)
    parser.add_argument("--json", action="store_true", help="the run and its steps as JSON")


@command("show", "show one run: a summary, or the run and its steps as JSON", _configure_show)
def show_command(args: argparse.Namespace) -> int:
    with open_agent(args) as agent:
        run = agent.get_run(args.run_id)
        if args.json:
            steps = agent.list_steps(args.run_id)
            _print_json(
                {
                    "run": run.model_dump(mode="json"),
                    "steps": [s.model_dump(mode="json") for s in steps],
                }
            )
        else:
            report = agent.data_dir / "runs" / run.run_id / "report.html"
            show_run(agent, run, as_json=False, report=report if report.is_file() else None)
    return EXIT_OK


@command("steps", "list a run's steps: status, url, actions and their results", _configure_show)
def steps_command(args: argparse.Namespace) -> int:
    with open_agent(args) as agent:
        agent.get_run(args.run_id)  # an unknown id is an error, not an empty table
        steps = agent.list_steps(args.run_id)
        if args.json:
            _print_json([s.model_dump(mode="json") for s in steps])
        elif not steps:
            print(f"Run {args.run_id} has no steps yet.")
        else:
            print(steps_table(steps))
    return EXIT_OK


@command("cancel", "cancel a run that has not ended", _run_id)
def cancel_command(args: argparse.Namespace) -> int:
    with open_agent(args) as agent:
        run = agent.cancel_run(args.run_id)
        print(f"{run.run_id}\t{run.status.value}")
    return EXIT_OK


def _configure_workflows(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help="print the workflows as JSON")


@command("workflows", "list published workflows", _configure_workflows)
def workflows_command(args: argparse.Namespace) -> int:
    with open_agent(args) as agent:
        workflows = agent.list_workflows()
    if args.json:
        _print_json(workflows)
    elif not workflows:
        print(
            "No workflows yet. Publish a completed run as one: "
            'agent run "..." --url ... --publish-workflow'
        )
    else:
        print(workflows_table(workflows))
        print("Replay one: agent replay WORKFLOW_ID --param KEY=VALUE")
    return EXIT_OK
