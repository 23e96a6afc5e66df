"""Uploads and tabs end to end, with stand-ins that read only the prompts."""

from __future__ import annotations

from typing import Any

from agent import RunStatus
from agent.testing import Prompt, PromptLLM
from fixtures_sites.server import FixtureServer


def upload_policy(prompt: Prompt) -> Any:
    """Upload the one file the prompt says may be sent, then send the form."""
    received = "Title: Received" in prompt.page  # the server's echo of what it got
    if prompt.purpose == "verify":
        return {"user_goal_achieved": received and "passport-scan.txt" in prompt.page}
    assert prompt.purpose == "plan"
    if received:
        return {"actions": [{"action_type": "COMPLETE", "reason": "the document was received"}]}
    files = prompt.section("Files you may upload (UPLOAD_FILE with the file name as file_url)")
    assert files, "the prompt must say which files may be uploaded"
    name = files.splitlines()[0].removeprefix("- ")
    if f"Chosen: {name}" in prompt.page:
        return {"actions": [{"action_type": "CLICK", "id": prompt.find(text="send document").id}]}
    target = prompt.find(type="file") or prompt.find(tag="button", text="browse")
    return {"actions": [{"action_type": "UPLOAD_FILE", "id": target.id, "file_url": name}]}


def test_upload_of_an_allowed_file_named_in_the_prompt(agent_for, server: FixtureServer, tmp_path):
    document = tmp_path / "passport-scan.txt"
    document.write_text("ID 4471-A\n")
    agent = agent_for(PromptLLM(upload_policy), upload_files=[document])
    run = agent.run_task(
        "Upload my ID document and send it",
        server.url("/widgets/upload.html"),
        engine="skyvern-1.0",
    )
    assert run.status == RunStatus.completed, run.failure_reason
    (sent,) = server.submissions_to("/widgets/upload")
    upload = sent.files["id_document"]
    assert upload.filename == "passport-scan.txt" and upload.content == b"ID 4471-A\n"


def tabs_policy(prompt: Prompt) -> Any:
    """Open the terms in a new tab, then read which way it was opened."""
    if prompt.purpose == "plan":
        if "Opened via" in prompt.page:
            return {"actions": [{"action_type": "EXTRACT", "reasoning": "the terms are open"}]}
        return {"actions": [{"action_type": "CLICK", "id": prompt.find(text="read the terms").id}]}
    if prompt.purpose == "extract":
        line = next(line for line in prompt.lines if line.startswith("Opened via"))
        return {"opened_via": line.removeprefix("Opened via ")}
    raise AssertionError(f"unexpected purpose {prompt.purpose}")


def test_a_link_that_opens_a_tab_is_followed_there(agent_for, server: FixtureServer):
    llm = PromptLLM(tabs_policy)
    agent = agent_for(llm)
    run = agent.run_task(
        "Open the terms and say how the page was opened",
        server.url("/widgets/tabs.html"),
        {"type": "object", "properties": {"opened_via": {"type": "string"}}},
        engine="skyvern-1.0",
    )
    assert run.status == RunStatus.completed, run.failure_reason
    assert run.output == {"opened_via": "link"}
    # the model was told about the second tab, in words, on the step after the click
    second = llm.prompts_for("plan")[1]
    assert "Open tabs:" in second.text and "Terms of service" in second.text
