"""The checks of the relay tasks (``tasks.py``): did the run do what its goal asked?

A check gets the FixtureServer (submissions/requests/state) and the TaskRun (or None if
the harness crashed) and returns (done, one-line explanation). Server-side checks are
preferred; pages that only change in-page state are checked through run.output, with a
schema (``report``) asking the model to report what the page shows.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

Check = Callable[[Any, Any], tuple[bool, str]]


def only_digits(s: str) -> str:
    return re.sub(r"\D", "", s or "")


def _posts(server: Any, path: str) -> list[Any]:
    return [r for r in server.submissions if r.path == path]


def _values(req: Any, name: str) -> list[str]:
    return [v.strip() for v in req.form_lists.get(name, [])]


def _out(run: Any) -> str:
    if run is None or run.output is None:
        return ""
    return str(run.output).lower()


def posted(path: str, **expected: Callable[[list[str]], bool]) -> Check:
    """Done if exactly one POST to path has, for each field, values passing its predicate."""

    def check(server: Any, run: Any) -> tuple[bool, str]:
        reqs = _posts(server, path)
        if not reqs:
            return False, f"no POST to {path}"
        req = reqs[-1]
        bad = [k for k, ok in expected.items() if not ok(_values(req, k))]
        if bad:
            shown = {k: _values(req, k) for k in bad}
            return False, f"POST {path} has wrong fields: {shown}"
        if len(reqs) > 1:
            return False, f"{len(reqs)} POSTs to {path} (expected one)"
        return True, f"POST {path} with the right fields"

    return check


def has(text: str) -> Callable[[list[str]], bool]:
    """Some value of the field contains text (case-insensitive)."""
    return lambda vals: any(text.lower() in v.lower() for v in vals)


def digits(d: str) -> Callable[[list[str]], bool]:
    return lambda vals: any(only_digits(v) == d for v in vals)


def exact(text: str) -> Callable[[list[str]], bool]:
    return lambda vals: any(v == text for v in vals)


def absent() -> Callable[[list[str]], bool]:
    return lambda vals: not vals


def output_has(*needles: str) -> Check:
    def check(server: Any, run: Any) -> tuple[bool, str]:
        out = _out(run)
        missing = [n for n in needles if n.lower() not in out]
        if run is None or run.status.value != "completed":
            return (
                False,
                f"run not completed ({run.status.value if run else 'none'}); output {out[:120]!r}",
            )
        if missing:
            return False, f"output lacks {missing}: {out[:160]!r}"
        return True, f"output reports {list(needles)}"

    return check


def report(field_name: str, description: str) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": {field_name: {"type": "string", "description": description}},
        "required": [field_name],
    }


def sent_once(server: Any, run: Any) -> tuple[bool, str]:
    reqs = _posts(server, "/acting/send")
    hows = [r.query.get("how") for r in reqs]
    return (hows == ["now"], f"POST /acting/send made {len(reqs)} time(s): {hows}")


def totp_verified(server: Any, run: Any) -> tuple[bool, str]:
    state = server.state["totp_login"]
    ok = bool(state["verified"]) and not state["rejected"]
    return ok, f"codes verified {len(state['verified'])}, rejected {len(state['rejected'])}"


def invoice_downloaded(server: Any, run: Any) -> tuple[bool, str]:
    got = [r.query.get("id") for r in server.requests if r.path == "/invoices/download"]
    files = [f.filename for f in (run.downloaded_files or [])] if run is not None else []
    ok = got == ["INV-1003"] and any("INV-1003" in (f or "") for f in files)
    return ok, f"downloads requested {got}; run.downloaded_files {files}"


def signed_in_with_plan(server: Any, run: Any) -> tuple[bool, str]:
    reqs = _posts(server, "/login/session")
    ok_post = bool(reqs) and reqs[-1].form.get("username") == "demo"
    out = _out(run)
    ok = ok_post and "gold" in out
    return (
        ok,
        f"{len(reqs)} POST /login/session (user {reqs[-1].form.get('username') if reqs else None}); output {out[:80]!r}",
    )


def three_products(server: Any, run: Any) -> tuple[bool, str]:
    out = _out(run)
    want = [("hammer", "8.49"), ("screwdriver set", "11.99"), ("cordless drill", "15.49")]
    missing = [w for w in want if w[0] not in out or w[1] not in out]
    return (
        not missing and run is not None and run.status.value == "completed",
        f"missing {missing}" if missing else "three products with prices",
    )
