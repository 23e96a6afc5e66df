"""``agent report RUN_ID`` and ``agent report --all``: the HTML report, or the index of runs."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from agent.cli import EXIT_OK, EXIT_USAGE, command, open_agent


def _configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("run_id", nargs="?", help="the run whose report to write")
    parser.add_argument(
        "--all",
        action="store_true",
        help="write <data dir>/index.html listing every run, each linking its report",
    )
    parser.add_argument("--output", type=Path, help="where to write it (default: the data dir)")
    parser.add_argument("--open", action="store_true", help="open it in the web browser")


@command("report", "write a run's HTML report (or --all: the index of runs)", _configure)
def report_command(args: argparse.Namespace) -> int:
    if bool(args.run_id) == bool(args.all):
        print("agent: give a RUN_ID or --all (not both)", file=sys.stderr)
        return EXIT_USAGE
    with open_agent(args) as agent:
        if args.all:
            from agent.ui.report_index import index_for

            path = index_for(agent, args.output)
        else:
            from agent.ui.report import report_for

            path = report_for(agent, args.run_id, args.output)
    print(path)
    if args.open:
        import webbrowser

        if not webbrowser.open(path.as_uri()):
            print(f"agent: no web browser to open; the file is {path}", file=sys.stderr)
    return EXIT_OK
