"""Every ``Agent(...)`` argument is checked when the Agent is made: the error names the
argument and the fix, nothing is created by a wrong one, and ``close()`` never raises."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from agent import Agent
from agent.agent_arguments import check_store_argument
from agent.records.errors import ConfigError, UsageError
from agent.stores import open_store
from agent.testing import ScriptedLLM


@pytest.mark.parametrize(
    ("arguments", "named", "fix"),
    [
        ({"store": "/proc/x.db"}, "store", "folder this process can write"),
        ({"store": 123}, "store", "'memory', 'sqlite'"),
        ({"store": "Memory"}, "store", "did you mean 'memory'"),
        ({"store": "sqlite3"}, "store", "a bare word is not a store"),
        ({"proxies": "x"}, "proxies", "dict of names to proxy URLs"),
        ({"data_dir": 123}, "data_dir", "folder path"),
        ({"upload_files": 5}, "upload_files", "list of file paths"),
        ({"upload_files": "cv.pdf"}, "upload_files", "list of file paths"),
        ({"upload_files": ["/no/such/cv.pdf"]}, "upload_files", "no such file"),
        ({"headless": "no"}, "headless", "True or False"),
        ({"record_video": 1}, "record_video", "True or False"),
        ({"page_timeout": -1}, "page_timeout", "seconds above 0"),
        ({"totp_timeout": "15m"}, "totp_timeout", "seconds above 0"),
        ({"max_downloads": 0}, "max_downloads", "above 0"),
        ({"allowed_domains": "example.com"}, "allowed_domains", "list of domain patterns"),
        ({"tools": print}, "tools", "list of functions"),
        ({"on_pause": "ask"}, "on_pause", "function"),
    ],
    ids=lambda v: repr(v) if isinstance(v, dict) else None,
)
def test_a_wrong_argument_is_refused_with_its_name_and_fix(
    tmp_path: Path, monkeypatch, arguments: dict[str, Any], named: str, fix: str
):
    monkeypatch.chdir(tmp_path)
    before = set(os.listdir(tmp_path))
    with pytest.raises(UsageError, match=named) as caught:
        Agent(llm=ScriptedLLM([]), **{"data_dir": tmp_path / "data", **arguments})
    assert fix in str(caught.value)
    assert set(os.listdir(tmp_path)) == before  # nothing created: no "Memory" file, no folder


def test_close_after_a_refused_argument_does_not_raise(tmp_path: Path):
    agent = Agent.__new__(Agent)
    with pytest.raises(ConfigError):
        agent.__init__(llm=ScriptedLLM([]), data_dir=tmp_path, store=123)  # type: ignore[misc]
    agent.close()  # a half-made Agent closes quietly
    agent.close()


@pytest.mark.parametrize(
    "store", ["memory", "sqlite", "runs.db", "./runs", "sqlite:///x.db", "postgresql://h/db"]
)
def test_the_documented_store_forms_pass_the_check(store: str):
    check_store_argument(store)


def test_open_store_names_an_unwritable_sqlite_file(tmp_path: Path):
    with pytest.raises(UsageError, match=r"cannot open the SQLite file '/proc/x\.db'"):
        open_store("/proc/x.db", tmp_path)


def test_good_arguments_make_an_agent(tmp_path: Path):
    upload = tmp_path / "cv.pdf"
    upload.write_bytes(b"%PDF-1.4")
    with Agent(
        llm=ScriptedLLM([]),
        data_dir=str(tmp_path),
        store=tmp_path / "runs.db",
        headless=True,
        proxies={"HOME": "http://127.0.0.1:3128"},
        upload_files=[upload],
        page_timeout=5,
    ) as agent:
        assert agent.list_runs() == [] and agent.upload_files == [upload.resolve()]


def test_a_bare_word_in_agent_store_is_refused_naming_the_variable(tmp_path: Path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("AGENT_STORE", "Sqlite")
    with pytest.raises(ConfigError, match=r"AGENT_STORE='Sqlite'.*did you mean 'sqlite'"):
        Agent(llm=ScriptedLLM([]), data_dir=tmp_path / "data")
    assert not (tmp_path / "Sqlite").exists()
