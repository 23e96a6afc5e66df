"""``agent export RUN_ID > flow.py``: a completed run as a sync Playwright script."""

from __future__ import annotations

import argparse
from pathlib import Path

from agent.cli import EXIT_OK, command, open_agent


def _configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("run_id", help="the completed run to export")
    parser.add_argument(
        "--heal",
        action="store_true",
        help="each step falls back to agent.on(page).act(<its instruction>) when its locator "
        "no longer fits (the script then imports this library)",
    )
    parser.add_argument("--output", type=Path, help="write the script here instead of stdout")


@command("export", "print a completed run as a Playwright script (docs/export.md)", _configure)
def export_command(args: argparse.Namespace) -> int:
    with open_agent(args) as agent:
        text = agent.export_script(args.run_id, heal=args.heal)
    if args.output is not None:
        args.output.write_text(text, encoding="utf-8")
        print(args.output)
    else:
        print(text, end="")
    return EXIT_OK
