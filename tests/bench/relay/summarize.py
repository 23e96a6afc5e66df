"""Print the relay runs' results: python tests/bench/relay/summarize.py agent-data/relay/runs."""

import json
import pathlib
import sys

root = pathlib.Path(sys.argv[1])
rows = []
for res in sorted(root.glob("*/result.json")):
    r = json.loads(res.read_text())
    name = res.parent.name
    rows.append((name, r.get("done"), r.get("status"), r.get("model_calls"), r.get("reasks")))
by = {}
for name, done, status, calls, reasks in rows:
    eng = "2.0" if "skyvern-2.0" in name else "1.0"
    by.setdefault(eng, []).append((done, calls, status))
    print(f"{name:32} done={done!s:5} status={status:10} calls={calls} reasks={reasks}")
for eng, v in sorted(by.items()):
    n = len(v)
    d = sum(1 for x in v if x[0])
    c = sum(x[1] or 0 for x in v) / n
    comp = sum(1 for x in v if x[0] and x[2] == "completed")
    print(f"engine {eng}: {d}/{n} done, {comp}/{n} done and completed, {c:.2f} calls/task")
