"""The command line: ``python -m agent`` (also installed as ``agent``).

    agent run "Apply for a job ..." --url https://... --schema schema.json --engine skyvern-1.0
    agent runs [--page 1 --page-size 10]
    agent show RUN_ID
    agent cancel RUN_ID
    agent report RUN_ID [--output report.html]

Runs are kept in the SQLite store of the data dir (``AGENT_DATA_DIR``, default
``./agent-data``) unless ``AGENT_STORE`` says otherwise, so ``runs`` and ``show`` see
what earlier ``run`` commands did. ``run`` prints progress on stderr and the run as
JSON on stdout, and exits 0 only when the run completed. ``report`` writes the run's
self-contained HTML report (default ``<data dir>/runs/RUN_ID/report.html``) and prints
its path.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="agent", description="A local browser agent.")
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser("run", help="run a task and print the run as JSON")
    run.add_argument("prompt", help="the goal, in plain language")
    run.add_argument("--url", help="the start page")
    run.add_argument("--schema", type=Path, help="a JSON Schema file for the output")
    run.add_argument("--engine", default="skyvern-2.0", choices=["skyvern-1.0", "skyvern-2.0"])
    run.add_argument("--max-steps", type=int, help="step budget")
    run.add_argument("--title", help="a title for the run")
    run.add_argument("--error-codes", type=Path, help="a JSON file mapping codes to meanings")
    run.add_argument("--webhook-url", help="where to POST the run when it ends")
    run.add_argument("--totp-identifier", help="whose 2FA codes to use")
    run.add_argument("--quiet", action="store_true", help="no progress lines")
    runs = commands.add_parser("runs", help="list runs, newest first")
    runs.add_argument("--page", type=int, default=1)
    runs.add_argument("--page-size", type=int, default=10)
    show = commands.add_parser("show", help="print a run and its steps as JSON")
    show.add_argument("run_id")
    cancel = commands.add_parser("cancel", help="cancel a run")
    cancel.add_argument("run_id")
    report = commands.add_parser("report", help="write a run's HTML report and print its path")
    report.add_argument("run_id")
    report.add_argument("--output", type=Path, help="where to write it (default: the run folder)")
    return parser


def _read_json(path: Path | None) -> Any:
    if path is None:
        return None
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError) as exc:
        raise SystemExit(f"agent: cannot read {path}: {exc}") from None


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    os.environ.setdefault("AGENT_STORE", "sqlite")
    from agent import Agent, AgentError

    progress = args.command == "run" and not args.quiet
    try:
        with Agent(progress=progress) as agent:
            if args.command == "run":
                run = agent.run_task(
                    args.prompt,
                    args.url,
                    _read_json(args.schema),
                    engine=args.engine,
                    max_steps=args.max_steps,
                    title=args.title,
                    error_code_mapping=_read_json(args.error_codes),
                    webhook_url=args.webhook_url,
                    totp_identifier=args.totp_identifier,
                )
                _print(run.model_dump(mode="json"))
                return 0 if run.status.value == "completed" else 1
            if args.command == "runs":
                for item in agent.list_runs(page=args.page, page_size=args.page_size):
                    print(
                        f"{item.run_id}\t{item.status.value}\t{item.created_at:%Y-%m-%d %H:%M}"
                        f"\t{item.title or item.run_request.prompt[:60]}"
                    )
                return 0
            if args.command == "show":
                run = agent.get_run(args.run_id)
                steps = agent.list_steps(args.run_id)
                _print(
                    {
                        "run": run.model_dump(mode="json"),
                        "steps": [s.model_dump(mode="json") for s in steps],
                    }
                )
                return 0
            if args.command == "report":
                from agent.report import report_for

                print(report_for(agent, args.run_id, args.output))
                return 0
            run = agent.cancel_run(args.run_id)
            print(f"{run.run_id}\t{run.status.value}")
            return 0
    except (AgentError, KeyError) as exc:
        print(f"agent: {exc}", file=sys.stderr)
        return 2


def _print(data: Any) -> None:
    print(json.dumps(data, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    raise SystemExit(main())
