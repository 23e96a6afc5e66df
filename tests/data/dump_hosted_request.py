"""Regenerate ``hosted_task_run_request*.json`` from the hosted SDK's own ``TaskRunRequest``.

Not a test (needs the hosted package, which is not a dependency). By hand::

    pip download --no-deps skyvern==1.0.56 -d /tmp/skyw && unzip -q /tmp/skyw/*.whl -d /tmp/skyw/x
    python tests/data/dump_hosted_request.py /tmp/skyw/x

``structlog`` (imported by the package for logging only) is stood in for by a stub.
Placeholders are replaced by the test with what exists on the test machine: port 65001
(the fixture server), 65002 (a Chromium's CDP port), ``bp_100`` (a profile), ``file_100``
(an uploaded file), ``placeholder-model`` (the stand-in model).
"""

from __future__ import annotations

import json
import logging
import sys
import types
from pathlib import Path

HERE = Path(__file__).resolve().parent

FULL = {
    "prompt": "Sign in as demo with password correct-horse-battery and read the greeting",
    "url": "http://127.0.0.1:65001/login/",
    "engine": "skyvern-1.0",
    "title": "A hosted request",
    "proxy_location": "NONE",
    "data_extraction_schema": {
        "type": "object",
        "properties": {"greeting": {"type": "string"}},
    },
    "error_code_mapping": {"login_failed": "The site rejects the credentials"},
    "max_steps": 6,
    "webhook_url": "http://127.0.0.1:65001/hooks/ok",
    "totp_identifier": "demo@example.com",
    "totp_url": "http://127.0.0.1:65001/totp/code",
    "browser_profile_id": "bp_100",
    "start_fresh_browser": False,
    "model": {"model_name": "placeholder-model"},
    "extra_http_headers": {"X-Hosted-Test": "all-fields"},
    "cdp_connect_headers": {"x-api-key": "cdp-key-123"},
    "publish_workflow": False,
    "include_action_history_in_verification": True,
    "max_screenshot_scrolls": 2,
    "browser_address": "http://127.0.0.1:65002",
    "run_with": "agent",
    "file_ids": ["file_100"],
}


def main(unpacked: str) -> None:
    sys.path.insert(0, unpacked)
    stub = types.ModuleType("structlog")
    stub.get_logger = logging.getLogger  # type: ignore[attr-defined]
    sys.modules["structlog"] = stub
    from skyvern.schemas.runs import TaskRunRequest  # type: ignore[import-not-found]

    full = TaskRunRequest(**FULL)
    # mode="json" masks cdp_connect_headers (the hosted serializer does): dump the raw value,
    # as a caller handing the request on would.
    dumped = full.model_dump(mode="json") | {"cdp_connect_headers": FULL["cdp_connect_headers"]}
    (HERE / "hosted_task_run_request.json").write_text(json.dumps(dumped, indent=2) + "\n")
    minimal = TaskRunRequest(prompt=FULL["prompt"], url=FULL["url"], model=FULL["model"])
    (HERE / "hosted_task_run_request_exclude_none.json").write_text(
        json.dumps(minimal.model_dump(mode="json", exclude_none=True), indent=2) + "\n"
    )


if __name__ == "__main__":
    main(sys.argv[1])
