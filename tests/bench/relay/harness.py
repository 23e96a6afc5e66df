"""Run one relay task: python tests/bench/relay/harness.py TASK_ID ENGINE [--vision].

Run from the repository root. Every model call becomes a prompt file in
``agent-data/relay/runs/<TASK_ID>-<ENGINE>[-vision]/`` (``--desk`` to change the folder)
that a reader answers (see README.md). When the run ends, result.json is written there.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import time
import traceback
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, os.getcwd())  # the repository root: agent, engines, fixtures_sites

from tasks import TASKS  # noqa: E402 - found through the path set above


def _request_record(r: Any) -> dict[str, Any]:
    rec: dict[str, Any] = {"method": r.method, "path": r.path}
    if r.query:
        rec["query"] = r.query
    if r.form:
        rec["form"] = r.form_lists if any(len(v) > 1 for v in r.form_lists.values()) else r.form
    if r.files:
        rec["files"] = {
            k: {"filename": f.filename, "bytes": len(f.content)} for k, f in r.files.items()
        }
    if not r.form and not r.files and r.body:
        try:
            rec["json"] = json.loads(r.body)
        except ValueError:
            rec["body"] = r.body.decode("utf-8", "replace")[:500]
    return rec


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("task_id")
    parser.add_argument("engine", choices=["skyvern-1.0", "skyvern-2.0"])
    parser.add_argument("--vision", action="store_true")
    parser.add_argument("--max-steps", type=int, default=10)
    parser.add_argument("--player", default="player")
    parser.add_argument("--desk", type=Path, default=Path("agent-data/relay"))
    args = parser.parse_args()
    task = TASKS.get(args.task_id)
    if task is None:
        print(f"unknown task {args.task_id}; known: {', '.join(TASKS)}", file=sys.stderr)
        return 2

    name = f"{task.id}-{args.engine}" + ("-vision" if args.vision else "")
    run_dir = args.desk.resolve() / "runs" / name
    if run_dir.exists():
        shutil.rmtree(run_dir)
    desk = run_dir  # prompt/answer files and result.json only: the player's whole view
    desk.mkdir(parents=True)
    data_dir = (
        args.desk.resolve() / "data" / name
    )  # the run's own files, kept out of the player's sight
    if data_dir.exists():
        shutil.rmtree(data_dir)
    os.environ["AGENT_MANUAL_DIR"] = str(desk)
    os.environ["AGENT_MANUAL_VISION"] = "1" if args.vision else "0"
    os.environ["AGENT_LLM_TIMEOUT"] = "900"
    os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")
    os.environ.setdefault("LITELLM_OFFLINE_MODE", "true")

    import agent as agent_pkg
    from agent import Agent
    from fixtures_sites.server import FixtureServer

    if not Path(agent_pkg.__file__).resolve().is_relative_to(Path.cwd().resolve()):
        print(
            f"warning: agent imported from {agent_pkg.__file__}, not from the cwd "
            f"{Path.cwd()}; run from the repository root",
            file=sys.stderr,
        )

    started = time.monotonic()
    result: dict[str, Any] = {
        "task": task.id,
        "engine": args.engine,
        "vision": args.vision,
        "desk": str(desk),
        "goal": task.goal,
    }
    print(f"{name}: running; answer prompts in {desk}", flush=True)
    with FixtureServer(max_lifetime=3 * 3600) as server:
        url = server.url(task.path)
        run = None
        try:
            with Agent(
                llm=f"manual/{args.player}", store="memory", data_dir=data_dir, record_video=False
            ) as agent:
                for ident, secret in task.totp_secrets.items():
                    agent.add_totp_secret(ident, secret)
                kwargs: dict[str, Any] = dict(task.extra)
                if task.schema is not None:
                    kwargs["data_extraction_schema"] = task.schema
                run = agent.run_task(
                    task.goal, url, engine=args.engine, max_steps=args.max_steps, **kwargs
                )
        except Exception as exc:
            result["harness_error"] = f"{type(exc).__name__}: {exc}"
            result["traceback"] = traceback.format_exc()
        time.sleep(1.0)  # a request fired late by the page (send after "undo" delay)
        result["status"] = str(run.status.value) if run is not None else "harness_error"
        result["failure_reason"] = run.failure_reason if run is not None else None
        result["output"] = run.output if run is not None else None
        result["llm_calls_run"] = run.llm_calls if run is not None else None
        result["step_count"] = run.step_count if run is not None else None
        result["downloaded_files"] = (
            [f.model_dump(mode="json") for f in run.downloaded_files or []]
            if run is not None
            else []
        )
        prompts = sorted(p.name for p in desk.glob("*.prompt.md"))
        result["model_calls"] = len(prompts)
        result["reasks"] = sum(
            1 for p in desk.glob("*.prompt.md") if "(assistant) =====" in p.read_text()
        )
        result["prompts"] = prompts
        result["submissions"] = [_request_record(r) for r in server.submissions]
        result["requests"] = [f"{r.method} {r.path}" for r in server.requests]
        try:
            done, check = task.check(server, run)
        except Exception as exc:
            done, check = False, f"check raised {type(exc).__name__}: {exc}"
        result["done"] = bool(done)
        result["check"] = check
        result["seconds"] = round(time.monotonic() - started, 1)
    tmp = run_dir / "result.json.tmp"
    tmp.write_text(json.dumps(result, indent=2, default=str))
    tmp.replace(run_dir / "result.json")
    print(
        f"{name}: done={result['done']} status={result['status']} calls={result['model_calls']} "
        f"check={result['check']} reason={result['failure_reason']}",
        flush=True,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
