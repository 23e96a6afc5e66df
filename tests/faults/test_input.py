"""Pathological input is refused before any browser starts, naming the field and the fix."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

import agent.records.request
from agent import Agent, RunStatus
from agent.records.errors import DataDirError, InvalidRequestError
from agent.records.runs import TaskRun, build_request
from agent.records.validation import MAX_STEPS_LIMIT, schema_validation_errors
from agent.stores import SQLiteStore
from agent.testing import ScriptedLLM

URL = "https://example.com"


def _nested(depth: int) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "string"}
    for _ in range(depth):
        schema = {"type": "object", "properties": {"a": schema}}
    return schema


WIDE = {"type": "object", "properties": {f"p{i}": {"type": "string"} for i in range(20_000)}}


@pytest.mark.parametrize(
    ("fields", "field", "words"),
    [
        ({"prompt": "Find the \ud800 price"}, "prompt", "lone surrogate (U+D800)"),
        ({"prompt": "Find\x00 it"}, "prompt", "NUL byte"),
        ({"url": "https://exa\x00mple.com"}, "url", "NUL byte"),
        ({"title": "a\udfffb"}, "title", "lone surrogate"),
        ({"data_extraction_schema": _nested(3000)}, "data_extraction_schema", "nested more"),
        ({"data_extraction_schema": WIDE}, "data_extraction_schema", "more than 5000 parts"),
        (
            {"data_extraction_schema": {"type": "object", "description": "x\x00"}},
            "data_extraction_schema",
            "NUL byte",
        ),
        ({"max_steps": True}, "max_steps", "not True"),
        ({"max_steps": 10**12}, "max_steps", f"limit of {MAX_STEPS_LIMIT}"),
        ({"error_code_mapping": {"E\x00": "x"}}, "error_code_mapping", "NUL byte"),
    ],
)
def test_pathological_input_is_refused_before_anything_runs(
    tmp_path: Path, fields: dict[str, Any], field: str, words: str
) -> None:
    with Agent(llm=ScriptedLLM([]), data_dir=tmp_path, progress=False) as agent:
        with pytest.raises(InvalidRequestError) as info:
            agent.run_task(**{"prompt": "Find it", "url": URL, **fields})
        assert info.value.field == field
        assert words in str(info.value)
        assert agent.list_runs() == []
        assert agent.launched_browser is None, "a browser started for a refused request"


class _Counter(BaseHTTPRequestHandler):
    hits = 0

    def do_GET(self) -> None:
        type(self).hits += 1
        body = b'{"type": "string"}'
        self.send_response(200)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def schema_host() -> Any:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Counter)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    _Counter.hits = 0
    yield f"http://127.0.0.1:{server.server_address[1]}/schema.json"
    server.shutdown()
    server.server_close()


def test_a_ref_outside_the_schema_is_refused_and_never_fetched(schema_host: str) -> None:
    schema = {"type": "object", "properties": {"name": {"$ref": schema_host}}}
    with pytest.raises(InvalidRequestError) as info:
        build_request(prompt="Get the name", url=URL, data_extraction_schema=schema)
    assert info.value.field == "data_extraction_schema"
    assert "points outside the schema and is not fetched" in str(info.value)
    assert "$defs" in str(info.value)
    # a schema the planner writes is validated the same way
    errors = schema_validation_errors({"name": "x"}, schema)
    assert errors and "not fetched" in errors[0]
    assert _Counter.hits == 0


def test_refs_inside_the_schema_resolve() -> None:
    schema = {
        "type": "object",
        "$defs": {"price": {"type": "number"}},
        "properties": {"price": {"$ref": "#/$defs/price"}},
    }
    build_request(prompt="Get the price", url=URL, data_extraction_schema=schema)
    assert schema_validation_errors({"price": 3}, schema) == []
    assert schema_validation_errors({"price": "x"}, schema) == [
        "price: 'x' is not of type 'number'"
    ]
    with pytest.raises(InvalidRequestError, match="points to nothing inside the schema"):
        build_request(
            prompt="Get it",
            url=URL,
            data_extraction_schema={"properties": {"a": {"$ref": "#/$defs/missing"}}},
        )


def test_a_schema_is_checked_once_per_request_not_on_every_read(tmp_path, monkeypatch) -> None:
    calls: list[int] = []
    check = agent.records.request.check_schema
    monkeypatch.setattr(
        agent.records.request, "check_schema", lambda v: calls.append(1) or check(v)
    )
    schema = {"type": "object", "properties": {f"p{i}": {"type": "string"} for i in range(2000)}}
    request = build_request(prompt="Get them", url=URL, data_extraction_schema=schema)
    store = SQLiteStore(tmp_path / "agent.db")
    try:
        run = TaskRun(
            run_id="tsk_1", status=RunStatus.created, run_type="task_v1", run_request=request
        )
        store.create_run(run)
        for _ in range(5):
            assert store.get_run("tsk_1").run_request.data_extraction_schema == schema
        store.list_runs()
    finally:
        store.close()
    assert len(calls) == 1


def test_an_unwritable_data_dir_is_a_clear_error_before_the_run_is_stored(tmp_path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    with Agent(llm=ScriptedLLM([]), data_dir=blocker / "data", progress=False) as agent:
        with pytest.raises(DataDirError, match="is not writable") as info:
            agent.run_task("Look", URL)
        assert "AGENT_DATA_DIR" in str(info.value)
        assert agent.list_runs() == []
