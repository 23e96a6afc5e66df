"""``python -m agent``: the command line (:mod:`agent.cli`)."""

from __future__ import annotations

from agent.cli import main

if __name__ == "__main__":
    raise SystemExit(main())
